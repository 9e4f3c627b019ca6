// Every page is prerendered to static HTML: the app is files any CDN can serve.
export const prerender = true;
export const trailingSlash = 'always';

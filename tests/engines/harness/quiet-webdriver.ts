// Imported before the WebDriver client, which reads this when it loads: its informational lines
// ("Connecting to existing driver…") would otherwise fill the test output.
process.env.WDIO_LOG_LEVEL ??= 'error';

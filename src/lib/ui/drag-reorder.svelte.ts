/**
 * Reordering a list by dragging a handle, with mouse, pen or touch (pointer
 * events, so it works where HTML drag and drop does not: touch screens). The
 * list's entries are its children marked `data-reorder-id`; where a dragged
 * entry would land is the number of other entries whose middle is above the
 * pointer. Near the top or bottom of the window the page scrolls, so an entry
 * can go anywhere in a long list. Escape cancels.
 *
 * Keyboard reordering is the page's own (Move up/down buttons, Alt+↑/↓); this
 * is the pointer's way to the same `onDrop`.
 *
 * @example
 * const reorder = new DragReorder((id, to) => editor.moveStep(id, to));
 * <button onpointerdown={(event) => reorder.start(step.id, event, list)}>…</button>
 * <svelte:window onpointermove={(e) => reorder.move(e)} onpointerup={(e) => reorder.end(e)} onpointercancel={(e) => reorder.end(e)} />
 */

const DRAG_THRESHOLD = 4;
const SCROLL_EDGE = 80;
const SCROLL_STEP = 14;

interface Drag {
	id: string;
	pointerId: number;
	startY: number;
	active: boolean;
	to: number;
	list: HTMLElement;
}

export class DragReorder {
	drag: Drag | null = $state(null);

	readonly #onDrop: (id: string, to: number) => void;
	#pointerY = 0;
	#frame: number | undefined;

	constructor(onDrop: (id: string, to: number) => void) {
		this.#onDrop = onDrop;
	}

	start(id: string, event: PointerEvent, list: HTMLElement | undefined): void {
		if (event.button !== 0 || !list) return;
		const from = this.#entries(list).findIndex((entry) => entry.dataset.reorderId === id);
		this.drag = { id, pointerId: event.pointerId, startY: event.clientY, active: false, to: from, list };
		(event.currentTarget as HTMLElement | null)?.setPointerCapture(event.pointerId);
	}

	move(event: PointerEvent): void {
		const drag = this.drag;
		if (!drag || event.pointerId !== drag.pointerId) return;
		if (!drag.active && Math.abs(event.clientY - drag.startY) < DRAG_THRESHOLD) return;
		drag.active = true;
		this.#pointerY = event.clientY;
		drag.to = this.#dropIndex(drag);
		this.#frame ??= requestAnimationFrame(() => this.#autoScroll());
	}

	end(event: PointerEvent): void {
		const drag = this.drag;
		if (!drag || event.pointerId !== drag.pointerId) return;
		this.#stop();
		if (drag.active && event.type === 'pointerup') this.#onDrop(drag.id, drag.to);
	}

	/** Drops nothing; true when a drag was going on (the Escape key is then used up). */
	cancel(): boolean {
		const dragging = this.drag !== null;
		this.#stop();
		return dragging;
	}

	/** Whether `id` is the entry being dragged. */
	lifted(id: string): boolean {
		return this.drag?.active === true && this.drag.id === id;
	}

	/** Where the dragged entry would land, shown on the entry `id` of `ids` (the list's order): a line before or after it. */
	mark(id: string, ids: readonly string[]): 'before' | 'after' | null {
		const drag = this.drag;
		if (!drag?.active || id === drag.id || !ids.includes(drag.id)) return null;
		const others = ids.filter((other) => other !== drag.id);
		const at = others.indexOf(id);
		if (at === drag.to) return 'before';
		if (drag.to === others.length && at === others.length - 1) return 'after';
		return null;
	}

	#entries(list: HTMLElement): HTMLElement[] {
		return [...list.querySelectorAll<HTMLElement>(':scope > [data-reorder-id]')];
	}

	#dropIndex(drag: Drag): number {
		return this.#entries(drag.list).filter((entry) => {
			if (entry.dataset.reorderId === drag.id) return false;
			const box = entry.getBoundingClientRect();
			return box.top + box.height / 2 < this.#pointerY;
		}).length;
	}

	#autoScroll(): void {
		this.#frame = undefined;
		const drag = this.drag;
		if (!drag?.active) return;
		const y = this.#pointerY;
		const by = y < SCROLL_EDGE ? -SCROLL_STEP : y > innerHeight - SCROLL_EDGE ? SCROLL_STEP : 0;
		if (by !== 0) {
			window.scrollBy(0, by);
			drag.to = this.#dropIndex(drag);
		}
		this.#frame = requestAnimationFrame(() => this.#autoScroll());
	}

	#stop(): void {
		this.drag = null;
		if (this.#frame !== undefined) cancelAnimationFrame(this.#frame);
		this.#frame = undefined;
	}
}

// stagecraft-embed.js: show the stagecraft stage editor in a portal page and talk to it.
// Served by `stagecraft serve` at /_stagecraft/embed.js (types: /_stagecraft/embed.d.ts); no dependencies.
// The editor must be started with --frame-ancestors naming this page's origin: it answers only that origin
// and ignores messages from anyone else. Protocol: README, "Embedding the editor".

const VERSION = 1;

/**
 * Appends the editor (an iframe with `?embed=1`) to `element` and wires the protocol.
 * @param {HTMLElement} element
 * @param {import('./embed.d.ts').MountOptions} options
 * @returns {import('./embed.d.ts').StageEditor}
 */
export function mountStageEditor(element, options) {
  const base = new URL(options.url, window.location.href);
  const origin = base.origin;
  const path =
    options.restApiId && options.stage
      ? `apis/${encodeURIComponent(options.restApiId)}/stages/${encodeURIComponent(options.stage)}`
      : '';
  const src = new URL(path, base.href.endsWith('/') ? base : new URL(`${base.href}/`));
  src.searchParams.set('embed', '1');
  const frame = document.createElement('iframe');
  frame.src = src.href;
  frame.title = options.title ?? 'stagecraft stage editor';
  frame.style.width = '100%';
  frame.style.height = '100%';
  frame.style.border = '0';
  element.appendChild(frame);

  let ready = false;
  let unsaved = 0;
  let dirtyWaiters = [];
  const send = (type, fields = {}) => {
    if (frame.contentWindow) frame.contentWindow.postMessage({ stagecraft: VERSION, type, ...fields }, origin);
  };
  // Say hello until the editor answers: it may still be loading.
  let hello = 0;
  const greet = () => {
    ready = false;
    window.clearInterval(hello);
    send('hello');
    hello = window.setInterval(() => send('hello'), 250);
  };
  frame.addEventListener('load', greet);

  const onMessage = async (event) => {
    if (event.source !== frame.contentWindow || event.origin !== origin) return;
    const m = event.data;
    if (!m || typeof m !== 'object' || m.stagecraft !== VERSION) return;
    switch (m.type) {
      case 'ready':
        ready = true;
        window.clearInterval(hello);
        unsaved = m.unsaved ?? 0;
        options.onReady?.(m);
        break;
      case 'dirty':
        unsaved = m.unsaved ?? 0;
        for (const resolve of dirtyWaiters) resolve(unsaved > 0);
        dirtyWaiters = [];
        options.onDirty?.(m);
        break;
      case 'saved':
        options.onSaved?.(m);
        break;
      case 'conflict':
        options.onConflict?.(m);
        break;
      case 'error':
        options.onError?.(m);
        break;
      case 'confirmNavigation': {
        const ask =
          options.confirmNavigation ??
          ((q) => window.confirm(`Leave stage ${q.stage}? ${q.unsaved} unsaved change(s) stay as a draft in the editor.`));
        let proceed = false;
        try {
          proceed = Boolean(await ask(m));
        } catch {
          proceed = false;
        }
        send('navigate', { id: m.id, proceed });
        break;
      }
      default:
        break;
    }
  };
  window.addEventListener('message', onMessage);

  return {
    frame,
    get ready() {
      return ready;
    },
    get unsaved() {
      return unsaved;
    },
    open(restApiId, stage) {
      send('open', { restApiId, stage });
    },
    isDirty() {
      return new Promise((resolve) => {
        dirtyWaiters.push(resolve);
        send('isDirty');
      });
    },
    destroy() {
      window.clearInterval(hello);
      window.removeEventListener('message', onMessage);
      frame.remove();
    },
  };
}

/**
 * `<stagecraft-editor url="…" rest-api-id="…" stage="…">`: the same editor as an element. Messages
 * arrive as DOM events `stagecraft-ready`, `stagecraft-dirty`, `stagecraft-saved`, `stagecraft-conflict`
 * and `stagecraft-error` (the message in `event.detail`; they bubble). Changing `rest-api-id` or
 * `stage` opens that stage (asking first when edits are unsaved); changing `url` or `title` mounts
 * the editor afresh. Set the `confirmNavigation` property to decide about leaving unsaved edits
 * (default: window.confirm).
 */
export class StageEditorElement extends (typeof HTMLElement === 'undefined' ? class {} : HTMLElement) {
  static observedAttributes = ['url', 'rest-api-id', 'stage', 'title'];

  /** @type {import('./embed.d.ts').StageEditor | null} */
  #editor = null;

  /** @type {((m: import('./embed.d.ts').ConfirmNavigationMessage) => boolean | Promise<boolean>) | undefined} */
  confirmNavigation = undefined;

  connectedCallback() {
    this.#mount();
  }

  disconnectedCallback() {
    this.#editor?.destroy();
    this.#editor = null;
  }

  attributeChangedCallback(name, previous, value) {
    if (!this.isConnected || previous === value) return;
    const restApiId = this.getAttribute('rest-api-id');
    const stage = this.getAttribute('stage');
    if ((name === 'rest-api-id' || name === 'stage') && this.#editor && restApiId && stage) {
      this.#editor.open(restApiId, stage);
    } else if (name === 'url' || name === 'title') {
      this.disconnectedCallback();
      this.#mount();
    }
  }

  /** The mounted editor (null without a `url`). */
  get editor() {
    return this.#editor;
  }

  /** Whether the open stage has unsaved changes. */
  isDirty() {
    return this.#editor ? this.#editor.isDirty() : Promise.resolve(false);
  }

  #mount() {
    const url = this.getAttribute('url');
    if (!url || this.#editor) return;
    if (!this.style.display) this.style.display = 'block';
    const emit = (type) => (detail) =>
      this.dispatchEvent(new CustomEvent(`stagecraft-${type}`, { detail, bubbles: true, composed: true }));
    const element = this;
    this.#editor = mountStageEditor(this, {
      url,
      restApiId: this.getAttribute('rest-api-id') ?? undefined,
      stage: this.getAttribute('stage') ?? undefined,
      title: this.getAttribute('title') ?? undefined,
      onReady: emit('ready'),
      onDirty: emit('dirty'),
      onSaved: emit('saved'),
      onConflict: emit('conflict'),
      onError: emit('error'),
      get confirmNavigation() {
        return element.confirmNavigation;
      },
    });
  }
}

if (typeof customElements !== 'undefined' && !customElements.get('stagecraft-editor')) {
  customElements.define('stagecraft-editor', StageEditorElement);
}

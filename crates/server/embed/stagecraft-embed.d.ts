// Types of stagecraft-embed.js (served by `stagecraft serve` at /_stagecraft/embed.js).

/** Fields every editor message carries about the open stage. */
export interface StageRef {
  restApiId: string;
  stage: string;
}

/** `ready`: the editor answers the host (after `hello`, and whenever a stage has loaded). */
export interface ReadyMessage extends Partial<StageRef> {
  stagecraft: 1;
  type: 'ready';
  unsaved: number;
}

/** `dirty`: the count of unsaved changes changed (or the answer to `isDirty`). */
export interface DirtyMessage extends Partial<StageRef> {
  stagecraft: 1;
  type: 'dirty';
  unsaved: number;
}

/** One UpdateStage patch operation, as sent to AWS. */
export interface PatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: string;
  from?: string;
}

/** `saved`: a save went through with these operations. */
export interface SavedMessage extends StageRef {
  stagecraft: 1;
  type: 'saved';
  operations: PatchOperation[];
}

/** `conflict`: someone else changed the same fields; the user chooses in the editor. */
export interface ConflictMessage extends StageRef {
  stagecraft: 1;
  type: 'conflict';
  conflicts: number;
}

/** `error`: AWS or stagecraft refused a save (`status` 0: network error). */
export interface ErrorMessage extends StageRef {
  stagecraft: 1;
  type: 'error';
  status: number;
  errorType: string | null;
  message: string;
}

/** `confirmNavigation`: leaving the stage would put unsaved changes aside. */
export interface ConfirmNavigationMessage extends StageRef {
  stagecraft: 1;
  type: 'confirmNavigation';
  id: number;
  unsaved: number;
}

export interface MountOptions {
  /** The editor's base URL, e.g. https://stagecraft.internal.example/ */
  url: string;
  /** The REST API to open first (with `stage`). */
  restApiId?: string;
  /** The stage to open first. */
  stage?: string;
  /** The iframe's accessible title (default "stagecraft stage editor"). */
  title?: string;
  onReady?(message: ReadyMessage): void;
  onDirty?(message: DirtyMessage): void;
  onSaved?(message: SavedMessage): void;
  onConflict?(message: ConflictMessage): void;
  onError?(message: ErrorMessage): void;
  /** Whether to leave a stage with unsaved changes (default: window.confirm). */
  confirmNavigation?(message: ConfirmNavigationMessage): boolean | Promise<boolean>;
}

export interface StageEditor {
  /** The iframe. */
  readonly frame: HTMLIFrameElement;
  /** Whether the editor has answered `hello`. */
  readonly ready: boolean;
  /** The last known count of unsaved changes. */
  readonly unsaved: number;
  /** Opens another stage (the editor asks `confirmNavigation` first when that leaves unsaved changes). */
  open(restApiId: string, stage: string): void;
  /** Asks the editor whether the open stage has unsaved changes. */
  isDirty(): Promise<boolean>;
  /** Removes the iframe and the listener. */
  destroy(): void;
}

/** Appends the editor (an iframe with `?embed=1`) to `element` and wires the protocol. */
export function mountStageEditor(element: HTMLElement, options: MountOptions): StageEditor;

/** The DOM events `<stagecraft-editor>` dispatches (they bubble; the message is `detail`). */
export interface StageEditorEventMap {
  'stagecraft-ready': CustomEvent<ReadyMessage>;
  'stagecraft-dirty': CustomEvent<DirtyMessage>;
  'stagecraft-saved': CustomEvent<SavedMessage>;
  'stagecraft-conflict': CustomEvent<ConflictMessage>;
  'stagecraft-error': CustomEvent<ErrorMessage>;
}

/**
 * `<stagecraft-editor url rest-api-id stage title>`: the editor as an element (defined when this module
 * loads). Changing `rest-api-id` or `stage` opens that stage; changing `url` or `title` mounts it afresh.
 */
export class StageEditorElement extends HTMLElement {
  /** The mounted editor (null without a `url`). */
  readonly editor: StageEditor | null;
  /** Whether to leave a stage with unsaved changes (default: window.confirm). */
  confirmNavigation?: (message: ConfirmNavigationMessage) => boolean | Promise<boolean>;
  /** Whether the open stage has unsaved changes. */
  isDirty(): Promise<boolean>;
  addEventListener<K extends keyof StageEditorEventMap>(
    type: K,
    listener: (this: StageEditorElement, event: StageEditorEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void;
}

declare global {
  interface HTMLElementTagNameMap {
    'stagecraft-editor': StageEditorElement;
  }
}

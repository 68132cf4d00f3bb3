import { EventEmitter } from 'node:events';
import type {
  AnyProviderEvent,
  EventContext,
  EventDetails,
  EventHandler,
  Logger,
  ProviderEventEmitter,
} from '@openfeature/server-sdk';

type Wrapped = (details?: EventDetails) => Promise<void>;

/**
 * The provider's event emitter, as the OpenFeature SDK's own behaves
 * (handlers run asynchronously, a throwing handler is logged, not thrown),
 * written here on node:events so that making a provider loads no SDK code.
 */
export class FlagProviderEvents implements ProviderEventEmitter<AnyProviderEvent> {
  readonly #emitter = new EventEmitter();
  readonly #wrapped = new Map<EventHandler, Wrapped[]>();
  #logger: Logger | undefined;

  constructor() {
    // Every client and the API attach handlers: no leak warning for a busy service.
    this.#emitter.setMaxListeners(0);
  }

  emit(eventType: AnyProviderEvent, context?: EventContext): void {
    this.#emitter.emit(eventType, context);
  }

  addHandler(eventType: AnyProviderEvent, handler: EventHandler): void {
    const wrapped: Wrapped = async (details) => {
      try {
        await handler(details);
      } catch (error) {
        this.#logger?.error('Error running event handler:', error);
      }
    };
    this.#wrapped.set(handler, [...(this.#wrapped.get(handler) ?? []), wrapped]);
    this.#emitter.on(eventType, wrapped);
  }

  removeHandler(eventType: AnyProviderEvent, handler: EventHandler): void {
    const wrapped = this.#wrapped.get(handler)?.pop();
    if (wrapped) this.#emitter.removeListener(eventType, wrapped);
  }

  removeAllHandlers(eventType?: AnyProviderEvent): void {
    if (eventType) this.#emitter.removeAllListeners(eventType);
    else this.#emitter.removeAllListeners();
  }

  getHandlers(eventType: AnyProviderEvent): EventHandler[] {
    return this.#emitter.listeners(eventType) as EventHandler[];
  }

  setLogger(logger: Logger): this {
    this.#logger = logger;
    return this;
  }
}

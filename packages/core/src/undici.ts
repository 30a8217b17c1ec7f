/// <reference path="./undici-lib.d.ts" />
/**
 * The parts of undici a login uses, loaded one by one. undici's index also loads fetch, WebSocket, caches,
 * cookies and mocks, and reads globalThis.Headers, which makes Node load its own copy of undici besides:
 * about a third of the step's start-up (docs/design.md, Performance). Same classes as the index's, so a
 * test's MockAgent and these agents are interchangeable.
 */
import type * as undici from 'undici';
import api from 'undici/lib/api/index.js';
import AgentClass from 'undici/lib/dispatcher/agent.js';
import DispatcherClass from 'undici/lib/dispatcher/dispatcher.js';
import EnvHttpProxyAgentClass from 'undici/lib/dispatcher/env-http-proxy-agent.js';
import ProxyAgentClass from 'undici/lib/dispatcher/proxy-agent.js';

// What undici's index does: request() and connect() (which ProxyAgent tunnels with) live on the prototype.
Object.assign(DispatcherClass.prototype, api);

export const Dispatcher: typeof undici.Dispatcher = DispatcherClass;
export type Dispatcher = undici.Dispatcher;
export const Agent: typeof undici.Agent = AgentClass;
export type Agent = undici.Agent;
export const ProxyAgent: typeof undici.ProxyAgent = ProxyAgentClass;
export type ProxyAgent = undici.ProxyAgent;
export const EnvHttpProxyAgent: typeof undici.EnvHttpProxyAgent = EnvHttpProxyAgentClass;
export type EnvHttpProxyAgent = undici.EnvHttpProxyAgent;
export { getGlobalDispatcher } from 'undici/lib/global.js';

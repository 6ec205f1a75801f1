export {
  KoanMcpClient, CLIENT_VERSION, type CallToolOptions, type ClientOptions, type InputHandler, type ProtocolEra, type RequestOptions,
} from './client.js';
export {
  AbortedError, AuthError, ConnectionClosedError, HttpError, InputRequiredError, McpClientError, NetworkError, ProtocolError, RpcError,
  SessionExpiredError, TimeoutError, ToolError,
} from './errors.js';
export { bearerTokenProvider, jwtExpiry, type IssuedToken, type TokenProvider } from './auth.js';
export { authorizedFetch, type HttpOptions } from './http.js';
export { backoffDelay, withRetry, type RetryOptions } from './retry.js';
export { readSse, type SseEvent } from './sse.js';
export { LegacySseTransport } from './legacy.js';
export { StreamableHttpTransport } from './streamable.js';
export {
  MODERN_PROTOCOL_VERSION, StatelessHttpTransport, Subscription, headerValue, type SubscriptionFilter,
} from './modern.js';
export type { Transport, TransportHandlers } from './transport.js';
export * from './types.js';

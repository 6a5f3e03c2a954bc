export type { HttpAppOptions } from './app.ts';
export { API_PREFIX, createHttpApp, createMetricsApp } from './app.ts';
export { authorizationMatches } from './auth.ts';
export type { ErrorMediaType, ErrorResponse, WireError } from './errors.ts';
export {
  badRequestError,
  deprecatedError,
  genericHelp,
  HttpError,
  negotiateErrorType,
  notFoundError,
  payloadTooLargeError,
  renderError,
  toWireError,
  unauthorizedError,
} from './errors.ts';
export { goJson } from './go-json.ts';
export type { ListenAddress, Listening } from './listen.ts';
export { InvalidListenAddressError, ListenError, listen, parseListenAddress } from './listen.ts';
export type { ApiRouterOptions } from './router.ts';
export { createApiRouter, DEFAULT_BODY_LIMIT } from './router.ts';
export type { ApiRoute, RouteMatch } from './routes.ts';
export { API_ROUTES, matchApiRoute, RouteName } from './routes.ts';

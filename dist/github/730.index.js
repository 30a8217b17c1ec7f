export const id = 730;
export const ids = [730];
export const modules = {

/***/ 9730:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   createRenew: () => (/* binding */ createRenew),
/* harmony export */   githubOidcProvider: () => (/* binding */ githubOidcProvider)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(319);
/* harmony import */ var _http_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7964);
/* harmony import */ var _identity_kinds_index_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(9418);
/* harmony import */ var _identity_token_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(448);
/* harmony import */ var _registry_acr_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(1123);
/* harmony import */ var _registry_jwt_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(7169);
/* harmony import */ var _types_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(5875);
/* harmony import */ var _undici_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(1004);








/**
 * GitHub's token service, as `core.getIDToken` asks it: `GET <url>&audience=<aud>` with the request token.
 * Core imports no CI library, and the helper runs outside any step.
 */
function githubOidcProvider(endpoint, dispatcher) {
    return async (audience) => {
        const url = `${endpoint.requestUrl}&audience=${encodeURIComponent(audience)}`;
        let status;
        let text;
        try {
            const target = new URL(url);
            const res = await dispatcher.request({
                origin: target.origin,
                path: target.pathname + target.search,
                method: 'GET',
                headers: { authorization: `Bearer ${endpoint.requestToken}`, accept: 'application/json' },
            });
            status = res.statusCode;
            text = await res.body.text();
        }
        catch (error) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .AcrLoginError */ .WE('OIDC_FAILED', `Could not reach GitHub's OIDC token service (ACTIONS_ID_TOKEN_REQUEST_URL): ${(0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .errorMessage */ .gJ)(error)}. Check the runner's network and proxy settings.`, { cause: error });
        }
        if (status === 401 || status === 403) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .AcrLoginError */ .WE('OIDC_FAILED', `GitHub refused the job's OIDC request token (HTTP ${status}): it is valid only while the job runs, so credentials cannot be renewed after it. Renew within the job that logged in, with "permissions: id-token: write".`);
        }
        let value;
        try {
            value = JSON.parse(text).value;
        }
        catch {
            value = undefined;
        }
        if (status !== 200 || typeof value !== 'string' || value === '') {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .AcrLoginError */ .WE('OIDC_FAILED', `GitHub's OIDC token service answered HTTP ${status} without a token; try again, or set "renew: false" and log in again before the push.`);
        }
        return value;
    };
}
/**
 * The renewal function for a plan: one Entra token per identity and scope, shared by every registry it
 * renews in this process, then one exchange per registry.
 */
function createRenew(plan, options) {
    const env = options.env;
    const proxied = Boolean(env.HTTPS_PROXY || env.https_proxy);
    const dispatcher = options.dispatcher ??
        (plan.proxyUrl === undefined || proxied
            ? (0,_http_js__WEBPACK_IMPORTED_MODULE_1__/* .defaultDispatcher */ .bA)(env)
            : new _undici_js__WEBPACK_IMPORTED_MODULE_6__/* .EnvHttpProxyAgent */ .J2({ httpsProxy: plan.proxyUrl, noProxy: env.NO_PROXY ?? env.no_proxy ?? '' }));
    const clock = options.clock ?? _http_js__WEBPACK_IMPORTED_MODULE_1__/* .systemClock */ .ml;
    const logger = options.logger ?? _types_js__WEBPACK_IMPORTED_MODULE_5__/* .nullLogger */ .Gi;
    const http = new _http_js__WEBPACK_IMPORTED_MODULE_1__/* .HttpClient */ .Qq({ dispatcher, logger, clock });
    const oidcToken = plan.githubOidc === undefined ? undefined : githubOidcProvider(plan.githubOidc, dispatcher);
    if (plan.adoOidcRequestUri !== undefined && process.env.SYSTEM_OIDCREQUESTURI === undefined) {
        process.env.SYSTEM_OIDCREQUESTURI = plan.adoOidcRequestUri;
    }
    const tokens = new Map();
    return async (loginServer) => {
        const registry = plan.registries.find((candidate) => candidate.loginServer === loginServer);
        if (registry === undefined) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .AcrLoginError */ .WE('STATE_INVALID', `The renewal state has no plan for "${loginServer}".`);
        }
        const { identity, scope, audience } = registry;
        try {
            const key = `${(0,_identity_kinds_index_js__WEBPACK_IMPORTED_MODULE_2__/* .identityKey */ .US)(identity)}|${scope}`;
            let token = tokens.get(key);
            if (token === undefined) {
                token = (0,_identity_token_js__WEBPACK_IMPORTED_MODULE_3__/* .getEntraToken */ ._b)(identity, scope, {
                    cloud: plan.cloud,
                    http,
                    clock,
                    dispatcher,
                    logger,
                    ...(oidcToken === undefined ? {} : { oidcToken }),
                });
                tokens.set(key, token);
            }
            const entra = await token;
            const tenantId = 'tenantId' in identity ? identity.tenantId : undefined;
            const res = await http.send((0,_registry_acr_js__WEBPACK_IMPORTED_MODULE_4__/* .exchangeRequest */ .hQ)({
                origin: registry.origin,
                service: registry.service,
                tenantId,
                entraToken: entra.token,
            }));
            const password = (0,_registry_acr_js__WEBPACK_IMPORTED_MODULE_4__/* .processExchangeResponse */ .mc)({ loginServer, identity: (0,_identity_kinds_index_js__WEBPACK_IMPORTED_MODULE_2__/* .describeIdentity */ .Cl)(identity), audience }, res);
            const expiresOn = (0,_registry_jwt_js__WEBPACK_IMPORTED_MODULE_7__/* .readTokenInfo */ .e)(password)?.expiresOn;
            if (expiresOn === undefined) {
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .AcrLoginError */ .WE('REGISTRY_PROTOCOL', `"${loginServer}" issued a refresh token without an expiry.`);
            }
            return { password, expiresOn };
        }
        catch (error) {
            throw (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .withContext */ .eQ)(error, `Renewing for ${(0,_identity_kinds_index_js__WEBPACK_IMPORTED_MODULE_2__/* .describeIdentity */ .Cl)(identity)}`);
        }
    };
}


/***/ })

};

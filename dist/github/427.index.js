export const id = 427;
export const ids = [427];
export const modules = {

/***/ 7964:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Qq: () => (/* binding */ HttpClient),
/* harmony export */   bA: () => (/* binding */ defaultDispatcher),
/* harmony export */   ml: () => (/* binding */ systemClock)
/* harmony export */ });
/* unused harmony exports DEFAULT_RETRY, realSleep, parseRetryAfter, backoffDelay */
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(319);
/* harmony import */ var _undici_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1004);


const DEFAULT_RETRY = {
    retries: 3,
    baseDelayMs: 500,
    maxDelayMs: 20_000,
    timeoutMs: 30_000,
};
const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);
// Network failures worth another attempt; a name that does not resolve will not resolve a second later.
const RETRY_ERRORS = new Set([
    'ECONNRESET',
    'ECONNREFUSED',
    'ETIMEDOUT',
    'EPIPE',
    'EAI_AGAIN',
    'UND_ERR_SOCKET',
    'UND_ERR_CONNECT_TIMEOUT',
    'UND_ERR_HEADERS_TIMEOUT',
    'UND_ERR_BODY_TIMEOUT',
    'UND_ERR_CLOSED',
]);
const realSleep = (ms, signal) => new Promise((resolve, reject) => {
    if (signal?.aborted) {
        reject(signal.reason);
        return;
    }
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(signal.reason);
    }, { once: true });
});
const systemClock = { now: () => Date.now() };
/**
 * The dispatcher used when an adapter passes none: honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY like curl,
 * because self-hosted runners and agents often sit behind a proxy. The caller owns it and closes it, so
 * idle keep-alive sockets do not hold the process open after the login.
 */
function defaultDispatcher(env) {
    const proxied = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((name) => env[name]);
    return proxied ? new _undici_js__WEBPACK_IMPORTED_MODULE_1__/* .EnvHttpProxyAgent */ .J2() : new _undici_js__WEBPACK_IMPORTED_MODULE_1__/* .Agent */ .g6();
}
/** Seconds or an HTTP date, as RFC 9110 allows; undefined when absent or unreadable. */
function parseRetryAfter(value, nowMs) {
    if (value === undefined || value.trim() === '')
        return undefined;
    const trimmed = value.trim();
    if (/^\d+$/.test(trimmed))
        return Number(trimmed) * 1000;
    const date = Date.parse(trimmed);
    return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
function backoffDelay(attempt, policy, retryAfterMs) {
    const exponential = policy.baseDelayMs * 2 ** attempt;
    return Math.min(policy.maxDelayMs, retryAfterMs ?? exponential);
}
function errorCode(error) {
    let current = error;
    // undici wraps socket errors; the code that tells what happened is often on the cause.
    for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
        const code = current.code;
        if (typeof code === 'string' && code !== 'UND_ERR')
            return code;
        current = current.cause;
    }
    return undefined;
}
function encodeForm(form) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(form)) {
        for (const item of typeof value === 'string' ? [value] : value)
            params.append(key, item);
    }
    return params.toString();
}
function flattenHeaders(headers) {
    const flat = {};
    for (const [key, value] of Object.entries(headers)) {
        flat[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    return flat;
}
/** Sends requests over https only, retrying what a retry can fix: 408, 429, 5xx and dropped connections. */
class HttpClient {
    #dispatcher;
    #logger;
    #sleep;
    #clock;
    #retry;
    constructor(options) {
        this.#dispatcher = options.dispatcher;
        this.#logger = options.logger;
        this.#sleep = options.sleep ?? realSleep;
        this.#clock = options.clock ?? systemClock;
        this.#retry = options.retry ?? DEFAULT_RETRY;
    }
    get dispatcher() {
        return this.#dispatcher;
    }
    async send(req) {
        const url = new URL(req.url);
        if (url.protocol !== 'https:') {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .AcrLoginError */ .WE('INPUT_INVALID', `Refusing to send the ${req.purpose} over ${url.protocol.replace(':', '')}: credentials travel over https only.`);
        }
        const headers = { 'user-agent': 'acr-login', ...req.headers };
        let body = null;
        if (req.form !== undefined) {
            body = encodeForm(req.form);
            headers['content-type'] = 'application/x-www-form-urlencoded';
        }
        for (let attempt = 0;; attempt++) {
            let response;
            try {
                const res = await this.#dispatcher.request({
                    origin: url.origin,
                    path: url.pathname + url.search,
                    method: req.method,
                    headers,
                    body,
                    headersTimeout: this.#retry.timeoutMs,
                    bodyTimeout: this.#retry.timeoutMs,
                });
                response = {
                    status: res.statusCode,
                    headers: flattenHeaders(res.headers),
                    body: await res.body.text(),
                };
            }
            catch (error) {
                const code = errorCode(error);
                if (attempt < this.#retry.retries && code !== undefined && RETRY_ERRORS.has(code)) {
                    const delay = backoffDelay(attempt, this.#retry, undefined);
                    this.#logger.debug(`${req.purpose}: ${code}, attempt ${attempt + 1}; retrying in ${delay} ms`);
                    await this.#sleep(delay);
                    continue;
                }
                throw networkError(req, url, error, code);
            }
            if (attempt < this.#retry.retries && RETRY_STATUS.has(response.status)) {
                const retryAfter = parseRetryAfter(response.headers['retry-after'], this.#clock.now());
                const delay = backoffDelay(attempt, this.#retry, retryAfter);
                this.#logger.debug(`${req.purpose}: HTTP ${response.status}, attempt ${attempt + 1}; retrying in ${delay} ms`);
                await this.#sleep(delay);
                continue;
            }
            return response;
        }
    }
}
/** Node's codes for a certificate chain it cannot verify: a TLS-inspecting proxy, usually. */
const TLS_TRUST = new Set([
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'CERT_UNTRUSTED',
]);
function networkError(req, url, error, code) {
    const host = url.host;
    if (code === 'ENOTFOUND' || code === 'EAI_NONAME') {
        return new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .AcrLoginError */ .WE('REGISTRY_UNREACHABLE', `The ${req.purpose} failed: the host "${host}" does not resolve. Check the name for typos; for a registry with a private endpoint, run on a runner or agent inside that network.`, { cause: error });
    }
    if (code !== undefined && TLS_TRUST.has(code)) {
        return new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .AcrLoginError */ .WE('REGISTRY_UNREACHABLE', `The ${req.purpose} failed: the TLS certificate "${host}" presented is not trusted here (${code}). Behind a TLS-inspecting proxy, trust the proxy's CA: NODE_EXTRA_CA_CERTS on a runner, the agent's certificate settings (Agent.CAInfo) on Azure Pipelines.`, { cause: error });
    }
    if (code === 'UND_ERR_ABORTED' || /proxy/i.test((0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .errorMessage */ .gJ)(error))) {
        return new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .AcrLoginError */ .WE('REGISTRY_UNREACHABLE', `The ${req.purpose} failed: the proxy refused the connection to "${host}" (${(0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .errorMessage */ .gJ)(error)}). Check the host name and the proxy's allow list.`, { cause: error });
    }
    return new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .AcrLoginError */ .WE('REGISTRY_UNREACHABLE', `The ${req.purpose} failed: could not reach "${host}" (${code ?? (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .errorMessage */ .gJ)(error)}). Check the network path from this machine: firewalls, private endpoints and proxy settings (HTTPS_PROXY, NO_PROXY).`, { cause: error });
}


/***/ }),

/***/ 2107:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   c: () => (/* binding */ explainEntraError)
/* harmony export */ });
/* unused harmony export EXPLAINED_CODES */
/* harmony import */ var _wording_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8810);

const app = (c) => c.clientId === undefined ? 'the application' : `the application ${c.clientId}`;
const tenant = (c) => c.tenantId === undefined ? 'the tenant' : `the tenant ${c.tenantId}`;
function federatedMismatch(part) {
    return (c) => {
        const claims = c.oidcClaims;
        const what = part === 'record' ? 'no federated credential' : `no federated credential with the token's ${part}`;
        const presented = claims === undefined
            ? "The federated credential's issuer, subject and audience must equal the token's iss, sub and aud claims exactly (case-sensitive)."
            : `The token presented has issuer "${claims.iss}", subject "${claims.sub}" and audience "${claims.aud}"; a federated credential must match all three exactly (case-sensitive).`;
        const parameters = claims === undefined
            ? '{"name":"acr-login","issuer":"<iss>","subject":"<sub>","audiences":["<aud>"]}'
            : JSON.stringify({
                name: 'acr-login',
                issuer: claims.iss,
                subject: claims.sub,
                audiences: [claims.aud],
            });
        const audienceHint = part === 'audience'
            ? ` Or set the ${(0,_wording_js__WEBPACK_IMPORTED_MODULE_0__/* .input */ .hF)('audience')} input to the audience the federated credential names (the default is ${c.defaultAudience ?? 'api://AzureADTokenExchange'}).`
            : '';
        const subjectHint = part === 'subject' || part === 'record'
            ? ' On GitHub the subject depends on the trigger: a job with an environment gets repo:<owner>/<repo>:environment:<name>, a pull request repo:<owner>/<repo>:pull_request, otherwise repo:<owner>/<repo>:ref:<ref>.'
            : '';
        return {
            explanation: `${what} of ${app(c)} matches the presented OIDC token. ${presented}`,
            fix: `Add a federated credential to the app registration (Certificates & secrets > Federated credentials), or run: az ad app federated-credential create --id ${c.clientId ?? '<client-id>'} --parameters '${parameters}'.${subjectHint}${audienceHint}`,
        };
    };
}
function issuerUnreachable(c) {
    const issuer = c.oidcClaims?.iss ?? 'the issuer';
    return {
        explanation: `Microsoft Entra ID could not fetch the OpenID configuration or signing keys of ${issuer}: a federated credential works only with an issuer Entra can reach from the internet, and a private GitHub Enterprise Server or cluster issuer is not.`,
        fix: `Publish ${issuer === 'the issuer' ? "the issuer's" : `${issuer}'s`} /.well-known/openid-configuration and its jwks_uri where Entra can reach them (for GitHub Enterprise Server: https://HOST/_services/token), or sign in another way: a service principal, or a self-hosted runner with a managed identity.`,
    };
}
const EXPLAINERS = {
    '700016': (c) => ({
        explanation: `${app(c)} was not found in ${tenant(c)}: ${(0,_wording_js__WEBPACK_IMPORTED_MODULE_0__/* .input */ .hF)('clientId')} or ${(0,_wording_js__WEBPACK_IMPORTED_MODULE_0__/* .input */ .hF)('tenantId')} is wrong, or the app is multi-tenant and this tenant has not consented to it.`,
        fix: `Copy ${(0,_wording_js__WEBPACK_IMPORTED_MODULE_0__/* .input */ .hF)('clientId')} from the Application (client) ID and ${(0,_wording_js__WEBPACK_IMPORTED_MODULE_0__/* .input */ .hF)('tenantId')} from the Directory (tenant) ID on the app registration's Overview page (not the object ID). For an app from another tenant, an administrator of this tenant must grant consent so it gets a service principal here.`,
    }),
    '7000215': () => ({
        explanation: 'the client secret is not valid for this application: it is a wrong value, the secret ID, or an expired or deleted secret.',
        fix: `Set ${(0,_wording_js__WEBPACK_IMPORTED_MODULE_0__/* .input */ .hF)('clientSecret')} (or clientSecret in ${(0,_wording_js__WEBPACK_IMPORTED_MODULE_0__/* .input */ .hF)('creds')}) to the secret's Value, shown only once when it was created, not its Secret ID. If the value is lost, create a new client secret and update the CI secret.`,
    }),
    '7000222': () => ({
        explanation: 'the client secret has expired.',
        fix: 'Create a new client secret (Certificates & secrets, or az ad app credential reset --id <client-id> --append) and update the CI secret that holds it; or switch to OIDC, which needs no secret.',
    }),
    '700027': () => ({
        explanation: "the client assertion's signature is not valid: the certificate is not uploaded to the app registration, or the private key does not belong to it.",
        fix: `Upload the public certificate (the CERTIFICATE part of ${(0,_wording_js__WEBPACK_IMPORTED_MODULE_0__/* .input */ .hF)('clientCertificate')}) to the app registration under Certificates & secrets > Certificates, and check its thumbprint matches; ${(0,_wording_js__WEBPACK_IMPORTED_MODULE_0__/* .input */ .hF)('clientCertificate')} must hold that certificate and its own private key.`,
    }),
    '70021': federatedMismatch('record'),
    '700213': federatedMismatch('subject'),
    '700211': federatedMismatch('issuer'),
    '700212': federatedMismatch('audience'),
    '700024': (c) => ({
        explanation: c.authType === 'workload-identity'
            ? 'the federated token read from AZURE_FEDERATED_TOKEN_FILE is expired or not yet valid.'
            : "the client assertion is outside its valid time range: it expired before it reached Entra ID, or the machine's clock is off.",
        fix: c.authType === 'workload-identity'
            ? 'Check that the projected service account token is being refreshed and that the node clock is synchronised.'
            : 'Synchronise the runner or agent clock (NTP), and run the login right before the steps that need it rather than after a long wait.',
    }),
    '50001': (c) => ({
        explanation: `the resource asked for does not exist or is disabled in ${tenant(c)}: usually a token for another cloud, or ${(0,_wording_js__WEBPACK_IMPORTED_MODULE_0__/* .input */ .hF)('tokenAudience')} set to arm where ARM tokens cannot be used.`,
        fix: `Check that ${(0,_wording_js__WEBPACK_IMPORTED_MODULE_0__/* .input */ .hF)('environment')} matches the cloud of the registry and the tenant (AzureCloud, AzureChinaCloud, AzureUSGovernment), and set ${(0,_wording_js__WEBPACK_IMPORTED_MODULE_0__/* .input */ .hF)('tokenAudience')} to acr (the default).`,
    }),
    '500011': (c) => ({
        explanation: `${tenant(c)} has no service principal for the resource asked for (Azure Container Registry or Azure Resource Manager): the tenant is not the registry's, or it belongs to another cloud.`,
        fix: `Set ${(0,_wording_js__WEBPACK_IMPORTED_MODULE_0__/* .input */ .hF)('tenantId')} to the tenant of the registry (or a per-registry tenant-id=), check ${(0,_wording_js__WEBPACK_IMPORTED_MODULE_0__/* .input */ .hF)('environment')}, and for a tenant without registries of its own set ${(0,_wording_js__WEBPACK_IMPORTED_MODULE_0__/* .input */ .hF)('tokenAudience')} to acr.`,
    }),
    // A private issuer (GitHub Enterprise Server, an on-premises cluster): Entra fetches its discovery
    // document and keys from the internet, and cannot reach it.
    '50166': issuerUnreachable,
    '501661': issuerUnreachable,
    '90061': issuerUnreachable,
    '90002': (c) => ({
        explanation: `${tenant(c)} was not found: ${(0,_wording_js__WEBPACK_IMPORTED_MODULE_0__/* .input */ .hF)('tenantId')} is wrong, or the tenant is in another cloud than ${(0,_wording_js__WEBPACK_IMPORTED_MODULE_0__/* .input */ .hF)('environment')} names.`,
        fix: `Copy the Directory (tenant) ID from the app registration's Overview page, and set ${(0,_wording_js__WEBPACK_IMPORTED_MODULE_0__/* .input */ .hF)('environment')} to the cloud the tenant lives in.`,
    }),
};
/** The first `AADSTS<digits>` in `message`, explained for the inputs of `context`. */
function explainEntraError(message, context) {
    const digits = /AADSTS(\d+)/.exec(message)?.[1];
    if (digits === undefined)
        return undefined;
    const explain = EXPLAINERS[digits];
    if (explain === undefined)
        return undefined;
    return { code: `AADSTS${digits}`, ...explain(context) };
}
/** The AADSTS codes that get an explanation and a fix. */
const EXPLAINED_CODES = Object.keys(EXPLAINERS).map((digits) => `AADSTS${digits}`);


/***/ }),

/***/ 4505:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Ih: () => (/* binding */ loadCertificate),
/* harmony export */   _i: () => (/* binding */ processTokenResponse),
/* harmony export */   k$: () => (/* binding */ certificateAssertion),
/* harmony export */   lN: () => (/* binding */ tokenEndpoint),
/* harmony export */   ly: () => (/* binding */ clientCredentialsRequest)
/* harmony export */ });
/* unused harmony export EntraErrorResponse */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var jose__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(3524);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(319);
/* harmony import */ var _wording_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(8810);




function tokenEndpoint(cloud, tenantId) {
    return `${cloud.authorityHost}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`;
}
function clientCredentialsRequest(params) {
    const proof = params.proof.kind === 'secret'
        ? { client_secret: params.proof.secret }
        : {
            client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
            client_assertion: params.proof.assertion,
        };
    return {
        method: 'POST',
        url: tokenEndpoint(params.cloud, params.tenantId),
        purpose: `Microsoft Entra token request at ${new URL(params.cloud.authorityHost).host}`,
        form: { client_id: params.clientId, grant_type: 'client_credentials', scope: params.scope, ...proof },
    };
}
/** Entra's error, with the text the caller turns into an explanation; never holds a secret. */
class EntraErrorResponse extends Error {
    status;
    error;
    description;
    name = 'EntraErrorResponse';
    constructor(status, error, description) {
        super(description === '' ? `HTTP ${status} ${error}` : description);
        this.status = status;
        this.error = error;
        this.description = description;
    }
}
function processTokenResponse(res, nowMs) {
    let body = {};
    try {
        body = JSON.parse(res.body);
    }
    catch {
        // Not JSON: a proxy or gateway answered; reported below with the status.
    }
    if (res.status === 200 && typeof body.access_token === 'string' && body.access_token !== '') {
        const lifetime = Number(body.expires_in);
        return {
            token: body.access_token,
            expiresOn: new Date(nowMs + (Number.isFinite(lifetime) ? lifetime : 3600) * 1000),
        };
    }
    const error = typeof body.error === 'string' ? body.error : 'invalid_response';
    const description = typeof body.error_description === 'string' ? body.error_description : '';
    // Support asks for these; Entra puts them in the JSON, and not always in the description.
    const labels = { trace_id: 'Trace ID', correlation_id: 'Correlation ID', timestamp: 'Timestamp' };
    const facts = Object.entries(labels).flatMap(([field, label]) => {
        const value = body[field];
        return typeof value === 'string' && !description.includes(value) ? [`${label}: ${value}`] : [];
    });
    throw new EntraErrorResponse(res.status, error, [description, ...facts].filter((part) => part !== '').join(' '));
}
const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
/** Reads the private key and the certificate that belongs to it (a PEM may hold a whole chain). */
function loadCertificate(pem, password) {
    let key;
    try {
        key = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createPrivateKey)({
            key: pem,
            format: 'pem',
            ...(password === undefined ? {} : { passphrase: password }),
        });
    }
    catch (error) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .AcrLoginError */ .WE('CERTIFICATE_INVALID', `The private key in ${(0,_wording_js__WEBPACK_IMPORTED_MODULE_2__/* .input */ .hF)('clientCertificate')} cannot be read${password === undefined ? '' : ` with ${(0,_wording_js__WEBPACK_IMPORTED_MODULE_2__/* .input */ .hF)('clientCertificatePassword')}`}: ${error.message}. Check that the PEM holds the key that belongs to the certificate and, for an encrypted key, that the password is right.`, { input: 'clientCertificate', cause: error });
    }
    if (key.asymmetricKeyType !== 'rsa') {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .AcrLoginError */ .WE('CERTIFICATE_INVALID', `${(0,_wording_js__WEBPACK_IMPORTED_MODULE_2__/* .input */ .hF)('clientCertificate')} holds a ${key.asymmetricKeyType ?? 'non-RSA'} key; Microsoft Entra ID accepts RSA certificates only. Create the certificate with an RSA key (e.g. "openssl req -x509 -newkey rsa:2048 ...").`, { input: 'clientCertificate' });
    }
    for (const block of pem.match(CERT_BLOCK) ?? []) {
        const cert = new node_crypto__WEBPACK_IMPORTED_MODULE_0__.X509Certificate(block);
        if (cert.checkPrivateKey(key)) {
            return { key, x5t: (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha1').update(cert.raw).digest('base64url') };
        }
    }
    throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .AcrLoginError */ .WE('CERTIFICATE_INVALID', `No certificate in ${(0,_wording_js__WEBPACK_IMPORTED_MODULE_2__/* .input */ .hF)('clientCertificate')} matches its private key. Put the certificate uploaded to the app registration and its own private key in one PEM: cat cert.pem key.pem.`, { input: 'clientCertificate' });
}
/** The signed JWT that proves possession of the certificate (RFC 7523), as Entra documents it. */
function certificateAssertion(certificate, clientId, audience, nowMs) {
    const now = Math.floor(nowMs / 1000);
    return new jose__WEBPACK_IMPORTED_MODULE_3__/* .SignJWT */ .P({ jti: (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomUUID)() })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', x5t: certificate.x5t })
        .setIssuer(clientId)
        .setSubject(clientId)
        .setAudience(audience)
        .setIssuedAt(now)
        .setNotBefore(now)
        .setExpirationTime(now + 600)
        .sign(certificate.key);
}


/***/ }),

/***/ 7127:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   H3: () => (/* binding */ IDENTITY_INPUTS),
/* harmony export */   TM: () => (/* binding */ firstLine),
/* harmony export */   W_: () => (/* reexport safe */ _ids_js__WEBPACK_IMPORTED_MODULE_1__.W_),
/* harmony export */   ib: () => (/* binding */ lower),
/* harmony export */   lq: () => (/* binding */ optional)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(319);
/* harmony import */ var _ids_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6640);

/**
 * One descriptor per Microsoft Entra auth kind: which inputs it accepts, how the planner builds its
 * identity, how the identity is described and keyed, and how it gets a token. Adding an auth kind is
 * one file in `kinds/` and a line in `kinds/index.ts`.
 */
/** Inputs that select or configure an identity; each auth type accepts only some of them. */
const IDENTITY_INPUTS = [
    'clientId',
    'tenantId',
    'clientSecret',
    'clientCertificate',
    'clientCertificatePassword',
    'creds',
    'managedIdentityResourceId',
    'username',
    'password',
    'audience',
    'tokenAudience',
    'serviceConnectionId',
];

/** The first line of an error text, bounded: SDK errors carry whole response bodies. */
function firstLine(error) {
    const text = (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .errorMessage */ .gJ)(error);
    const line = text.split('\n')[0] ?? text;
    return line.length > 400 ? `${line.slice(0, 400)}...` : line;
}
const lower = (value) => value?.toLowerCase() ?? '';
/** `{ key: value }` when the value is set, else `{}`: for optional fields under exactOptionalPropertyTypes. */
function optional(key, value) {
    return (value === undefined ? {} : { [key]: value });
}


/***/ }),

/***/ 9418:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  GW: () => (/* binding */ KINDS),
  Cl: () => (/* binding */ describeIdentity),
  US: () => (/* binding */ identityKey),
  I: () => (/* binding */ kindOf)
});

// EXTERNAL MODULE: ../core/src/errors.ts
var errors = __webpack_require__(319);
// EXTERNAL MODULE: ../core/src/wording.ts
var wording = __webpack_require__(8810);
// EXTERNAL MODULE: ../core/src/identity/kind.ts
var kind = __webpack_require__(7127);
;// CONCATENATED MODULE: ../core/src/identity/kinds/azure-cli.ts



const azureCli = {
    via: 'sdk',
    accepts: ['tenantId', 'tokenAudience'],
    overridable: ['tenantId'],
    build: (ctx) => ({ type: 'azure-cli', ...(0,kind/* optional */.lq)('tenantId', ctx.tenantId) }),
    keyParts: (identity) => [(0,kind/* lower */.ib)(identity.tenantId)],
    describe: () => 'the Azure CLI session',
    credential: (identity, sdk) => new sdk.AzureCliCredential((0,kind/* optional */.lq)('tenantId', identity.tenantId)),
    unexplained: (_, error) => new errors/* AcrLoginError */.WE('AZURE_CLI_FAILED', `Could not get a token from the Azure CLI: ${(0,kind/* firstLine */.TM)(error)}. Run "az login" (or azure/login) earlier in the job, or pick another ${(0,wording/* input */.hF)('authType')}.`, { input: 'authType', cause: error }),
};

;// CONCATENATED MODULE: ../core/src/identity/kinds/azure-pipelines.ts



const azurePipelines = {
    via: 'sdk',
    accepts: ['clientId', 'tenantId', 'serviceConnectionId', 'tokenAudience'],
    // The service connection names one app.
    overridable: ['tenantId'],
    build(ctx) {
        const serviceConnectionId = ctx.value('serviceConnectionId');
        if (serviceConnectionId !== undefined && !(0,kind/* isGuid */.W_)(serviceConnectionId)) {
            throw new errors/* AcrLoginError */.WE('INPUT_INVALID', `${(0,wording/* input */.hF)('serviceConnectionId')} is "${serviceConnectionId}", which is not a GUID. Give the id of the Azure Resource Manager service connection (shown in its URL as resourceId).`, { input: 'serviceConnectionId' });
        }
        const fields = ctx.require({
            clientId: ctx.clientId,
            tenantId: ctx.tenantId,
            serviceConnectionId,
            systemAccessToken: ctx.value('systemAccessToken'),
        });
        return { type: 'azure-pipelines', ...fields };
    },
    keyParts: (identity) => [
        (0,kind/* lower */.ib)(identity.tenantId),
        (0,kind/* lower */.ib)(identity.clientId),
        (0,kind/* lower */.ib)(identity.serviceConnectionId),
    ],
    describe: (identity) => `the app ${identity.clientId} in tenant ${identity.tenantId}`,
    credential: (identity, sdk, options) => new sdk.AzurePipelinesCredential(identity.tenantId, identity.clientId, identity.serviceConnectionId, identity.systemAccessToken, options),
};

;// CONCATENATED MODULE: ../core/src/identity/kinds/managed-identity.ts



const RESOURCE_ID = /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.managedidentity\/userassignedidentities\/[^/]+$/i;
const managedIdentity = {
    via: 'sdk',
    accepts: ['clientId', 'tenantId', 'managedIdentityResourceId', 'tokenAudience'],
    // Another user-assigned identity on the same machine; a managed identity has one tenant.
    overridable: ['clientId'],
    build(ctx) {
        const resourceId = ctx.value('managedIdentityResourceId');
        if (resourceId !== undefined && !RESOURCE_ID.test(resourceId)) {
            throw new errors/* AcrLoginError */.WE('INPUT_INVALID', `${(0,wording/* input */.hF)('managedIdentityResourceId')} is "${resourceId}", which is not the resource ID of a user-assigned managed identity. It looks like /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>.`, { input: 'managedIdentityResourceId' });
        }
        return {
            type: 'managed-identity',
            ...(0,kind/* optional */.lq)('tenantId', ctx.tenantId),
            ...(0,kind/* optional */.lq)('clientId', ctx.clientId),
            ...(0,kind/* optional */.lq)('resourceId', resourceId),
        };
    },
    keyParts: (identity) => [(0,kind/* lower */.ib)(identity.tenantId), (0,kind/* lower */.ib)(identity.clientId), (0,kind/* lower */.ib)(identity.resourceId)],
    describe(identity) {
        if (identity.clientId !== undefined)
            return `the user-assigned managed identity with client id ${identity.clientId}`;
        if (identity.resourceId !== undefined)
            return `the user-assigned managed identity ${identity.resourceId}`;
        return 'the system-assigned managed identity of this machine';
    },
    credential(identity, sdk, options) {
        // Probe IMDS briefly first: without it the SDK retries an absent endpoint for a long time.
        const miOptions = { ...options, sendProbeRequest: true, retryOptions: { maxRetries: 2 } };
        if (identity.clientId !== undefined)
            return new sdk.ManagedIdentityCredential(identity.clientId, miOptions);
        if (identity.resourceId !== undefined) {
            return new sdk.ManagedIdentityCredential({ resourceId: identity.resourceId, ...miOptions });
        }
        return new sdk.ManagedIdentityCredential(miOptions);
    },
    unexplained: (identity, error) => new errors/* AcrLoginError */.WE('MANAGED_IDENTITY_UNAVAILABLE', `Could not get a token for ${managedIdentity.describe(identity)}: ${(0,kind/* firstLine */.TM)(error)}. A managed identity works only on a self-hosted runner or agent running on an Azure VM (or scale set) with that identity assigned, or on an Azure Arc-enabled server, where the runner's user must be in the himds group (Administrators on Windows) to read the identity's token. On a hosted runner, use OIDC (${(0,wording/* input */.hF)('clientId')} and ${(0,wording/* input */.hF)('tenantId')} with "permissions: id-token: write") or a service principal instead.`, { input: 'authType', cause: error }),
};

;// CONCATENATED MODULE: ../core/src/identity/kinds/oidc.ts



const oidc = {
    via: 'direct',
    accepts: ['clientId', 'tenantId', 'audience', 'tokenAudience'],
    overridable: ['tenantId', 'clientId'],
    build(ctx) {
        const { clientId, tenantId } = ctx.require({ clientId: ctx.clientId, tenantId: ctx.tenantId });
        return { type: 'oidc', clientId, tenantId, audience: ctx.value('audience') ?? ctx.cloud.oidcAudience };
    },
    keyParts: (identity) => [(0,kind/* lower */.ib)(identity.tenantId), (0,kind/* lower */.ib)(identity.clientId), identity.audience],
    describe: (identity) => `the app ${identity.clientId} in tenant ${identity.tenantId}`,
    async proof(identity, ctx) {
        const provider = ctx.oidcToken;
        if (provider === undefined) {
            throw new errors/* AcrLoginError */.WE('OIDC_UNAVAILABLE', 'No OIDC token provider is available for OIDC.', {
                input: 'authType',
            });
        }
        let federated;
        try {
            federated = await provider(identity.audience);
        }
        catch (error) {
            if (error instanceof errors/* AcrLoginError */.WE)
                throw error;
            throw new errors/* AcrLoginError */.WE('OIDC_FAILED', `Could not get an OIDC token for audience "${identity.audience}": ${(0,errors/* errorMessage */.gJ)(error)}. Check ${(0,wording/* input */.hF)('audience')}, or leave it empty for the cloud's default.`, { cause: error, input: 'audience' });
        }
        ctx.logger.mask(federated);
        return { proof: { kind: 'assertion', assertion: federated }, federated };
    },
};

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
;// CONCATENATED MODULE: ../core/src/identity/certificate.ts



const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----/;
const KEY_BLOCK = /-----BEGIN ((?:RSA |EC |DSA |ENCRYPTED )?PRIVATE KEY)-----([\s\S]*?)-----END \1-----/;
/**
 * PEM text for a service principal certificate must hold the certificate and its private key (any kind,
 * encrypted or not). Checked when planning for inputs and when reading a file; the message never quotes
 * the text, which holds a private key.
 */
function checkCertificatePem(pem) {
    const key = KEY_BLOCK.exec(pem);
    const missing = [
        ...(CERTIFICATE_BLOCK.test(pem) ? [] : ['CERTIFICATE block']),
        ...(key === null ? ['PRIVATE KEY block'] : []),
    ];
    if (key === null || missing.length > 0) {
        throw new errors/* AcrLoginError */.WE('CERTIFICATE_INVALID', `${(0,wording/* input */.hF)('clientCertificate')} has no complete ${missing.join(' and no ')}. It must hold the certificate and its private key in PEM form, one after the other: build it with "cat cert.pem key.pem > combined.pem" (from a .pfx: "openssl pkcs12 -in cert.pfx -nodes").`, { input: 'clientCertificate' });
    }
    const encrypted = key[1] === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(key[2] ?? '');
    return { encrypted };
}
/** The one rule for an encrypted key, for PEM text and files alike. */
function requireKeyPassword(encrypted, password, where) {
    if (!encrypted || password !== undefined)
        return;
    throw new errors/* AcrLoginError */.WE('INPUT_REQUIRED', `${where} has an encrypted private key, so ${(0,wording/* input */.hF)('clientCertificatePassword')} is required to decrypt it. Set it, or store the key unencrypted (openssl pkey -in key.pem -out plain.pem).`, { input: 'clientCertificatePassword' });
}
/**
 * `client-certificate` is PEM text or a file path. Anything that cannot be a path is a pasted secret in
 * another format: never echo it.
 */
function certificateSource(value, password) {
    if (value.includes('-----BEGIN')) {
        requireKeyPassword(checkCertificatePem(value).encrypted, password, (0,wording/* input */.hF)('clientCertificate'));
        return { kind: 'pem', pem: value };
    }
    if (/[\r\n]/.test(value) || value.length > 1024) {
        throw new errors/* AcrLoginError */.WE('CERTIFICATE_INVALID', `${(0,wording/* input */.hF)('clientCertificate')} is neither PEM text nor a file path. Give the certificate and its private key as PEM (for example the output of "cat cert.pem key.pem"; from a .pfx: "openssl pkcs12 -in cert.pfx -nodes"), or the path of such a file.`, { input: 'clientCertificate' });
    }
    return { kind: 'path', path: value };
}
/** The PEM text of a certificate source, reading and checking a file when it is one. */
async function certificatePem(source, password) {
    if (source.kind === 'pem')
        return source.pem;
    let pem;
    try {
        pem = await (0,promises_.readFile)(source.path, 'utf8');
    }
    catch (error) {
        throw new errors/* AcrLoginError */.WE('CERTIFICATE_INVALID', `${(0,wording/* input */.hF)('clientCertificate')} names the file "${source.path}", which cannot be read (${error.code ?? (0,errors/* errorMessage */.gJ)(error)}). Give the PEM text itself, or a path that exists on the runner.`, { input: 'clientCertificate', cause: error });
    }
    requireKeyPassword(checkCertificatePem(pem).encrypted, password, `${(0,wording/* input */.hF)('clientCertificate')} names "${source.path}", which`);
    return pem;
}

// EXTERNAL MODULE: ../core/src/identity/entra.ts
var entra = __webpack_require__(4505);
;// CONCATENATED MODULE: ../core/src/identity/kinds/service-principal.ts





const servicePrincipal = {
    via: 'direct',
    accepts: [
        'clientId',
        'tenantId',
        'clientSecret',
        'clientCertificate',
        'clientCertificatePassword',
        'creds',
        'tokenAudience',
    ],
    // A secret or certificate belongs to one app; a multi-tenant app may sign in to another tenant.
    overridable: ['tenantId'],
    build,
    keyParts: (identity) => [
        (0,kind/* lower */.ib)(identity.tenantId),
        (0,kind/* lower */.ib)(identity.clientId),
        identity.certificate === undefined ? 'secret' : `certificate:${identity.certificate.kind}`,
    ],
    describe: (identity) => `the app ${identity.clientId} in tenant ${identity.tenantId}`,
    async proof(identity, ctx) {
        if (identity.secret !== undefined)
            return { proof: { kind: 'secret', secret: identity.secret } };
        if (identity.certificate === undefined)
            throw new Error('unreachable: no secret and no certificate');
        const pem = await certificatePem(identity.certificate, identity.certificatePassword);
        const certificate = (0,entra/* loadCertificate */.Ih)(pem, identity.certificatePassword);
        const audience = (0,entra/* tokenEndpoint */.lN)(ctx.cloud, identity.tenantId);
        const assertion = await (0,entra/* certificateAssertion */.k$)(certificate, identity.clientId, audience, ctx.clock.now());
        ctx.logger.mask(assertion);
        return { proof: { kind: 'assertion', assertion } };
    },
};
function build(ctx) {
    const { creds } = ctx;
    if (creds !== undefined) {
        for (const [key, given, fromCreds] of [
            ['clientId', ctx.clientId, creds.clientId],
            ['tenantId', ctx.tenantId, creds.tenantId],
        ]) {
            if (given !== undefined && given.toLowerCase() !== fromCreds.toLowerCase()) {
                throw new errors/* AcrLoginError */.WE('INPUT_CONFLICT', `${(0,wording/* input */.hF)(key)} is "${given}", but ${(0,wording/* input */.hF)('creds')} names another ${key === 'clientId' ? 'application' : 'tenant'}. Remove ${(0,wording/* input */.hF)(key)} (the one in ${(0,wording/* input */.hF)('creds')} is used) or make them equal.`, { input: key });
            }
        }
        return {
            type: 'service-principal',
            clientId: creds.clientId,
            tenantId: creds.tenantId,
            secret: creds.clientSecret,
        };
    }
    const secret = ctx.value('clientSecret');
    const password = ctx.value('clientCertificatePassword');
    const pem = ctx.value('clientCertificate');
    const certificate = pem === undefined ? undefined : certificateSource(pem, password);
    const required = ctx.require({
        clientId: ctx.clientId,
        tenantId: ctx.tenantId,
        ...(secret === undefined && certificate === undefined ? { clientSecret: undefined } : {}),
    }, {
        clientSecret: {
            text: `${(0,wording/* input */.hF)('clientSecret')} or ${(0,wording/* input */.hF)('clientCertificate')} (or ${(0,wording/* input */.hF)('creds')})`,
            input: 'clientSecret',
        },
    });
    return {
        type: 'service-principal',
        clientId: required.clientId,
        tenantId: required.tenantId,
        ...(0,kind/* optional */.lq)('secret', secret),
        ...(0,kind/* optional */.lq)('certificate', certificate),
        ...(0,kind/* optional */.lq)('certificatePassword', password),
    };
}

;// CONCATENATED MODULE: ../core/src/identity/kinds/workload-identity.ts




const workloadIdentity = {
    via: 'direct',
    accepts: ['clientId', 'tenantId', 'tokenAudience'],
    overridable: ['tenantId', 'clientId'],
    build(ctx) {
        // The workload identity webhook sets these variables; the inputs win when both are given.
        const fields = ctx.require({
            clientId: ctx.clientId ?? ctx.checkClientId(ctx.env('AZURE_CLIENT_ID'), 'AZURE_CLIENT_ID'),
            tenantId: ctx.tenantId ?? ctx.checkTenantId(ctx.env('AZURE_TENANT_ID'), 'AZURE_TENANT_ID'),
            tokenFile: ctx.env('AZURE_FEDERATED_TOKEN_FILE'),
        }, {
            clientId: { text: `${(0,wording/* input */.hF)('clientId')} (or AZURE_CLIENT_ID)`, input: 'clientId' },
            tenantId: { text: `${(0,wording/* input */.hF)('tenantId')} (or AZURE_TENANT_ID)`, input: 'tenantId' },
            tokenFile: {
                text: 'the AZURE_FEDERATED_TOKEN_FILE environment variable',
                input: 'AZURE_FEDERATED_TOKEN_FILE',
            },
        });
        return { type: 'workload-identity', ...fields };
    },
    keyParts: (identity) => [(0,kind/* lower */.ib)(identity.tenantId), (0,kind/* lower */.ib)(identity.clientId), identity.tokenFile],
    describe: (identity) => `the app ${identity.clientId} in tenant ${identity.tenantId}`,
    async proof(identity) {
        let federated;
        try {
            federated = (await (0,promises_.readFile)(identity.tokenFile, 'utf8')).trim();
        }
        catch (error) {
            throw new errors/* AcrLoginError */.WE('INPUT_INVALID', `The workload identity token file "${identity.tokenFile}" (AZURE_FEDERATED_TOKEN_FILE) cannot be read (${error.code ?? (0,errors/* errorMessage */.gJ)(error)}). Check that the service account token is projected into this pod or runner.`, { input: 'AZURE_FEDERATED_TOKEN_FILE', cause: error });
        }
        return { proof: { kind: 'assertion', assertion: federated }, federated };
    },
};

;// CONCATENATED MODULE: ../core/src/identity/kinds/index.ts






/** Every Microsoft Entra auth kind, in the order `auth-type` lists them. */
const KINDS = {
    oidc: oidc,
    'azure-pipelines': azurePipelines,
    'service-principal': servicePrincipal,
    'managed-identity': managedIdentity,
    'workload-identity': workloadIdentity,
    'azure-cli': azureCli,
};
/** The descriptor of an identity's kind; each descriptor is only ever given identities of its own kind. */
function kindOf(identity) {
    return KINDS[identity.type];
}
function describeIdentity(identity) {
    return kindOf(identity).describe(identity);
}
/** Equal for identities that can share one Entra token. Never contains a secret: it may be logged. */
function identityKey(identity) {
    return [identity.type, ...kindOf(identity).keyParts(identity)].join('|');
}


/***/ }),

/***/ 448:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   _b: () => (/* binding */ getEntraToken)
/* harmony export */ });
/* unused harmony exports azureHttpClient, supportFacts */
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(319);
/* harmony import */ var _registry_jwt_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(7169);
/* harmony import */ var _undici_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1004);
/* harmony import */ var _util_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(2224);
/* harmony import */ var _aadsts_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(2107);
/* harmony import */ var _entra_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(4505);
/* harmony import */ var _kind_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(7127);
/* harmony import */ var _kinds_index_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(9418);








/**
 * Routes @azure/identity's requests through our dispatcher, so Entra, IMDS and ACR share one transport
 * (proxy, CA, tests) instead of the SDK's own https agent. IMDS and loopback never go through a proxy.
 */
async function azureHttpClient(dispatcher) {
    const { createHttpHeaders } = await __webpack_require__.e(/* import() */ 561).then(__webpack_require__.bind(__webpack_require__, 3561));
    return {
        async sendRequest(req) {
            const url = new URL(req.url);
            const body = typeof req.body === 'string' ? req.body : null;
            const res = await ((0,_util_js__WEBPACK_IMPORTED_MODULE_6__/* .isLocalHost */ .mJ)(url.hostname) ? (0,_undici_js__WEBPACK_IMPORTED_MODULE_1__/* .getGlobalDispatcher */ .xo)() : dispatcher).request({
                origin: url.origin,
                path: url.pathname + url.search,
                method: req.method,
                headers: req.headers.toJSON(),
                body,
                ...(req.timeout > 0 ? { headersTimeout: req.timeout, bodyTimeout: req.timeout } : {}),
                ...(req.abortSignal === undefined ? {} : { signal: req.abortSignal }),
            });
            const headers = createHttpHeaders();
            for (const [name, value] of Object.entries(res.headers)) {
                if (value !== undefined)
                    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
            }
            return { request: req, status: res.statusCode, headers, bodyAsText: await res.body.text() };
        },
    };
}
/**
 * With the CI's debug logging on, the Azure SDK's own log (which IMDS endpoint it probed, what came back)
 * goes to the host's debug output, so a managed identity failure can be traced. The SDK redacts tokens.
 */
async function routeSdkLog(logger) {
    const { AzureLogger, setLogLevel } = await __webpack_require__.e(/* import() */ 251).then(__webpack_require__.bind(__webpack_require__, 5251));
    setLogLevel('verbose');
    AzureLogger.log = (...args) => logger.debug(args.map((arg) => String(arg)).join(' '));
}
/** Gets one Microsoft Entra token for `scope`, masked before it is returned. */
async function getEntraToken(identity, scope, ctx) {
    ctx.logger.debug(`Requesting a Microsoft Entra token for ${(0,_kinds_index_js__WEBPACK_IMPORTED_MODULE_5__/* .describeIdentity */ .Cl)(identity)} (scope ${scope})`);
    const kind = (0,_kinds_index_js__WEBPACK_IMPORTED_MODULE_5__/* .kindOf */ .I)(identity);
    let federated;
    try {
        let token;
        if (kind.via === 'direct') {
            // Direct kinds all carry an app and a tenant.
            const direct = identity;
            const proof = await kind.proof(identity, ctx);
            federated = proof.federated;
            const request = (0,_entra_js__WEBPACK_IMPORTED_MODULE_3__/* .clientCredentialsRequest */ .ly)({
                cloud: ctx.cloud,
                tenantId: direct.tenantId,
                clientId: direct.clientId,
                scope,
                proof: proof.proof,
            });
            token = (0,_entra_js__WEBPACK_IMPORTED_MODULE_3__/* .processTokenResponse */ ._i)(await ctx.http.send(request), ctx.clock.now());
        }
        else {
            if (ctx.debug === true)
                await routeSdkLog(ctx.logger);
            const sdk = await Promise.all(/* import() */[__webpack_require__.e(561), __webpack_require__.e(831)]).then(__webpack_require__.bind(__webpack_require__, 831));
            const credential = kind.credential(identity, sdk, {
                authorityHost: ctx.cloud.authorityHost,
                disableInstanceDiscovery: ctx.cloud.disableInstanceDiscovery,
                httpClient: await azureHttpClient(ctx.dispatcher),
            });
            const result = await credential.getToken(scope);
            if (result === null)
                throw new Error('the credential returned no token');
            token = { token: result.token, expiresOn: new Date(result.expiresOnTimestamp) };
        }
        ctx.logger.mask(token.token);
        const subject = federated === undefined ? undefined : (0,_registry_jwt_js__WEBPACK_IMPORTED_MODULE_7__/* .readOidcClaims */ .N)(federated)?.sub;
        return subject === undefined || subject === '' ? token : { ...token, subject };
    }
    catch (error) {
        throw entraError(error, identity, scope, ctx.cloud, federated);
    }
}
/** The ids Microsoft support asks for, as Entra words them in its errors. */
function supportFacts(message) {
    const facts = {};
    for (const [label, name] of [
        ['Correlation ID', 'correlation id'],
        ['Trace ID', 'trace id'],
        ['Timestamp', 'timestamp'],
    ]) {
        const value = new RegExp(`${label}: ([0-9A-Za-z:.\\- ]+?)(?=\\s+(?:Trace ID|Correlation ID|Timestamp):|\\s*$|[\\r\\n'"])`).exec(message)?.[1];
        if (value !== undefined)
            facts[name] = value.trim();
    }
    return facts;
}
/** Underlying errors hide in AggregateAuthenticationError and cause chains: find our own first. */
function findOwnError(error) {
    let current = error;
    for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
        if (current instanceof _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .AcrLoginError */ .WE)
            return current;
        current = current.cause;
    }
    return undefined;
}
function entraError(error, identity, scope, cloud, oidcToken) {
    const own = findOwnError(error);
    if (own !== undefined)
        return own;
    const who = (0,_kinds_index_js__WEBPACK_IMPORTED_MODULE_5__/* .describeIdentity */ .Cl)(identity);
    const claims = oidcToken === undefined ? undefined : (0,_registry_jwt_js__WEBPACK_IMPORTED_MODULE_7__/* .readOidcClaims */ .N)(oidcToken);
    const explained = (0,_aadsts_js__WEBPACK_IMPORTED_MODULE_2__/* .explainEntraError */ .c)((0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .errorMessage */ .gJ)(error), {
        authType: identity.type,
        defaultAudience: cloud.oidcAudience,
        ...('clientId' in identity && identity.clientId !== undefined ? { clientId: identity.clientId } : {}),
        ...('tenantId' in identity && identity.tenantId !== undefined ? { tenantId: identity.tenantId } : {}),
        ...(claims === undefined ? {} : { oidcClaims: claims }),
    });
    const details = { ...claims, ...supportFacts((0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .errorMessage */ .gJ)(error)) };
    if (explained !== undefined) {
        return new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .AcrLoginError */ .WE('ENTRA_AUTH_FAILED', `Microsoft Entra ID refused a token for ${who} (${explained.code}): ${explained.explanation} ${explained.fix}`, { cause: error, details });
    }
    const kind = (0,_kinds_index_js__WEBPACK_IMPORTED_MODULE_5__/* .kindOf */ .I)(identity);
    if (kind.unexplained !== undefined)
        return kind.unexplained(identity, error);
    return new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .AcrLoginError */ .WE('ENTRA_AUTH_FAILED', `Microsoft Entra ID (${cloud.authorityHost}) did not issue a token for ${who} and scope ${scope}: ${(0,_kind_js__WEBPACK_IMPORTED_MODULE_4__/* .firstLine */ .TM)(error)}`, { cause: error, details });
}


/***/ }),

/***/ 6640:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   MX: () => (/* binding */ isUnderSuffix),
/* harmony export */   W_: () => (/* binding */ isGuid),
/* harmony export */   c9: () => (/* binding */ isTenantId),
/* harmony export */   rM: () => (/* binding */ isDnsName)
/* harmony export */ });
/** The shapes of the identifiers inputs carry: checked when planning and when building identities. */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
function isGuid(value) {
    return GUID.test(value);
}
/** A tenant is a GUID or one of its verified domains (`contoso.onmicrosoft.com`). */
function isTenantId(value) {
    return isGuid(value) || (value.includes('.') && isDnsName(value.toLowerCase()));
}
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** Lower-case DNS name: labels of 1-63 letters, digits and hyphens, not starting or ending with a hyphen. */
function isDnsName(name) {
    if (name.length === 0 || name.length > 253)
        return false;
    return name.split('.').every((label) => LABEL.test(label));
}
/** `host` is a strict subdomain of `suffix`: `x.azurecr.io` is under `azurecr.io`, `evilazurecr.io` is not. */
function isUnderSuffix(host, suffix) {
    const name = host.toLowerCase().replace(/:\d+$/, '');
    const dotted = `.${suffix.toLowerCase().replace(/^\./, '')}`;
    return name.length > dotted.length && name.endsWith(dotted);
}


/***/ }),

/***/ 1123:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  GL: () => (/* binding */ acrErrorText),
  rM: () => (/* binding */ basicTokenRequest),
  fE: () => (/* binding */ challengeRequest),
  hQ: () => (/* binding */ exchangeRequest),
  ej: () => (/* binding */ processBasicTokenResponse),
  c5: () => (/* binding */ processChallengeResponse),
  mc: () => (/* binding */ processExchangeResponse)
});

// UNUSED EXPORTS: accessTokenRequest, processAccessTokenResponse

// EXTERNAL MODULE: ../core/src/errors.ts
var errors = __webpack_require__(319);
// EXTERNAL MODULE: ../core/src/util.ts
var util = __webpack_require__(2224);
// EXTERNAL MODULE: ../core/src/wording.ts
var wording = __webpack_require__(8810);
;// CONCATENATED MODULE: ../core/src/registry/challenge.ts
/**
 * `WWW-Authenticate` parsing per RFC 7235 section 4.1 (with RFC 9110's quoted-string rules). Values such
 * as `scope="repository:a:pull,push"` contain commas, so the header cannot be split on `,`: it is read
 * token by token. The parser is lenient: text it cannot read is skipped, never thrown on, because the
 * header comes from a server and callers only look for one scheme.
 */
const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68_CHAR = /[A-Za-z0-9\-._~+/]/;
class Reader {
    text;
    pos = 0;
    constructor(text) {
        this.text = text;
    }
    get done() {
        return this.pos >= this.text.length;
    }
    peek() {
        return this.text[this.pos] ?? '';
    }
    skipSpace() {
        while (this.peek() === ' ' || this.peek() === '\t')
            this.pos++;
    }
    skipSpaceAndCommas() {
        while (this.peek() === ' ' || this.peek() === '\t' || this.peek() === ',')
            this.pos++;
    }
    readWhile(pattern) {
        const start = this.pos;
        while (!this.done && pattern.test(this.peek()))
            this.pos++;
        return this.text.slice(start, this.pos);
    }
    /** quoted-string: `"` *( qdtext / `\` any ) `"`. An unterminated string runs to the end of the header. */
    readQuoted() {
        this.pos++;
        let value = '';
        while (!this.done) {
            const char = this.peek();
            this.pos++;
            if (char === '"')
                return value;
            if (char === '\\' && !this.done) {
                value += this.peek();
                this.pos++;
            }
            else {
                value += char;
            }
        }
        return value;
    }
    /** Reads `name BWS "=" BWS` when it is there; otherwise leaves the position unchanged. */
    tryParamName() {
        const start = this.pos;
        const name = this.readWhile(TCHAR);
        this.skipSpace();
        if (name !== '' && this.peek() === '=') {
            this.pos++;
            this.skipSpace();
            // `abc==` is a token68, not a parameter `abc` with the value `=`.
            if (this.peek() === '"' || TCHAR.test(this.peek()))
                return name.toLowerCase();
        }
        this.pos = start;
        return undefined;
    }
    /** token68 followed by the end of the challenge; otherwise leaves the position unchanged. */
    tryToken68() {
        const start = this.pos;
        let value = this.readWhile(TOKEN68_CHAR);
        if (value !== '')
            value += this.readWhile(/=/);
        this.skipSpace();
        if (value !== '' && (this.done || this.peek() === ','))
            return value;
        this.pos = start;
        return undefined;
    }
}
function parseWwwAuthenticate(header) {
    const reader = new Reader(header);
    const challenges = [];
    while (true) {
        reader.skipSpaceAndCommas();
        if (reader.done)
            return challenges;
        const scheme = reader.readWhile(TCHAR);
        if (scheme === '') {
            reader.pos++;
            continue;
        }
        const params = Object.create(null);
        let token68;
        // Parameters need whitespace after the scheme; `Bearer,Basic` is two bare challenges.
        if (reader.peek() === ' ' || reader.peek() === '\t') {
            reader.skipSpace();
            const start = reader.pos;
            const isParam = reader.tryParamName() !== undefined;
            reader.pos = start;
            token68 = isParam ? undefined : reader.tryToken68();
            if (token68 === undefined)
                readParams(reader, params);
        }
        challenges.push({ scheme: scheme.toLowerCase(), params, ...(token68 === undefined ? {} : { token68 }) });
    }
}
/** Reads `name=value` pairs separated by commas until something that is not a parameter (the next challenge). */
function readParams(reader, params) {
    while (true) {
        const start = reader.pos;
        reader.skipSpaceAndCommas();
        const name = reader.tryParamName();
        if (name === undefined) {
            reader.pos = start;
            return;
        }
        const value = reader.peek() === '"' ? reader.readQuoted() : reader.readWhile(TCHAR);
        if (!(name in params))
            params[name] = value;
        reader.skipSpace();
        if (!reader.done && reader.peek() !== ',') {
            // Garbage after a value: skip to the next comma so one bad parameter does not hide the rest.
            while (!reader.done && reader.peek() !== ',')
                reader.pos++;
        }
    }
}
/** `realm`, `service` and `scope` of the first Bearer challenge, or undefined when there is none. */
function bearerChallenge(header) {
    const bearer = parseWwwAuthenticate(header).find((challenge) => challenge.scheme === 'bearer');
    if (bearer === undefined)
        return undefined;
    const { realm, service, scope } = bearer.params;
    return {
        ...(realm === undefined ? {} : { realm }),
        ...(service === undefined ? {} : { service }),
        ...(scope === undefined ? {} : { scope }),
    };
}

;// CONCATENATED MODULE: ../core/src/registry/acr.ts




function challengeRequest(origin) {
    return { method: 'GET', url: `${origin}/v2/`, purpose: `registry challenge at ${new URL(origin).host}` };
}
function processChallengeResponse(loginServer, res) {
    if (res.status === 200)
        return { service: loginServer, open: true };
    if (res.status === 401) {
        const header = res.headers['www-authenticate'];
        const bearer = header === undefined ? undefined : bearerChallenge(header);
        if (bearer === undefined) {
            throw new errors/* AcrLoginError */.WE('REGISTRY_PROTOCOL', `"${loginServer}" answered /v2/ with 401 but without a Bearer challenge, so it is not an Azure Container Registry. Check the ${(0,wording/* input */.hF)('registry')} input.`, { input: 'registry' });
        }
        return { service: bearer.service ?? loginServer, open: false };
    }
    if (res.status === 403) {
        throw new errors/* AcrLoginError */.WE('REGISTRY_FORBIDDEN', `"${loginServer}" refused the connection from this machine (HTTP 403 on /v2/). The registry's firewall or disabled public network access blocks this runner: add its outbound IP to the registry's network rules, or run on a runner or agent inside the registry's virtual network.`, { details: correlation(res) });
    }
    if (res.status === 404) {
        throw new errors/* AcrLoginError */.WE('REGISTRY_PROTOCOL', `"${loginServer}" has no /v2/ endpoint (HTTP 404), so it is not a container registry. Check the ${(0,wording/* input */.hF)('registry')} input.`, { input: 'registry' });
    }
    throw unexpected(loginServer, '/v2/', res);
}
function exchangeRequest(params) {
    return {
        method: 'POST',
        url: `${params.origin}/oauth2/exchange`,
        purpose: `token exchange at ${new URL(params.origin).host}`,
        form: {
            grant_type: 'access_token',
            service: params.service,
            ...(params.tenantId === undefined ? {} : { tenant: params.tenantId }),
            access_token: params.entraToken,
        },
    };
}
function processExchangeResponse(ctx, res) {
    if (res.status === 200) {
        const token = jsonField(res.body, 'refresh_token');
        if (token !== undefined)
            return token;
        throw new errors/* AcrLoginError */.WE('REGISTRY_PROTOCOL', `"${ctx.loginServer}" answered the token exchange without a refresh_token.`, { details: correlation(res) });
    }
    if (res.status === 401 || res.status === 403) {
        const said = acrErrorText(res.body);
        const refused = `"${ctx.loginServer}" refused the Entra token of ${ctx.identity} (HTTP ${res.status}${said}).`;
        const roles = 'grant this identity the "AcrPull" role (or "AcrPush" to push) on the registry; on a registry with ABAC repository permissions, grant "Container Registry Repository Reader" (or "Writer") instead. Role assignments can take a few minutes to apply.';
        // An ARM token is the likelier cause: registries with authentication-as-arm disabled refuse every one.
        const text = ctx.audience === 'arm'
            ? `${refused} This login asked for an ARM-audience token (${(0,wording/* input */.hF)('tokenAudience')} is arm), which a registry with authentication-as-arm disabled refuses: remove ${(0,wording/* input */.hF)('tokenAudience')} or set it to acr. If the registry accepts ARM tokens, ${roles}`
            : `${refused} Grant this identity the "AcrPull" role (or "AcrPush" to push) on the registry; on a registry with ABAC repository permissions, grant "Container Registry Repository Reader" (or "Writer") instead. Role assignments can take a few minutes to apply.`;
        throw new errors/* AcrLoginError */.WE('ACR_EXCHANGE_DENIED', text, { details: correlation(res) });
    }
    throw unexpected(ctx.loginServer, '/oauth2/exchange', res);
}
function accessTokenRequest(params) {
    return {
        method: 'POST',
        url: `${params.origin}/oauth2/token`,
        purpose: `access token request at ${new URL(params.origin).host}`,
        form: {
            grant_type: 'refresh_token',
            service: params.service,
            scope: params.scopes,
            refresh_token: params.refreshToken,
        },
    };
}
function processAccessTokenResponse(loginServer, res) {
    if (res.status === 200) {
        const token = jsonField(res.body, 'access_token');
        if (token !== undefined)
            return token;
        throw new AcrLoginError('REGISTRY_PROTOCOL', `"${loginServer}" answered /oauth2/token without an access_token.`);
    }
    if (res.status === 401 || res.status === 403) {
        throw new AcrLoginError('ACR_TOKEN_DENIED', `"${loginServer}" refused the access token request (HTTP ${res.status}${acrErrorText(res.body)}). The identity lacks a role that allows the requested repository actions.`, { details: correlation(res) });
    }
    throw unexpected(loginServer, '/oauth2/token', res);
}
/** What docker and skopeo do with a username and password: GET /oauth2/token with Basic auth. */
function basicTokenRequest(params) {
    const query = new URLSearchParams({ service: params.service });
    const headers = {};
    if (params.basic !== undefined) {
        headers.authorization = `Basic ${(0,util/* basicCredentials */.BG)(params.basic.username, params.basic.password)}`;
    }
    return {
        method: 'GET',
        url: `${params.origin}/oauth2/token?${query.toString()}`,
        headers,
        purpose: `${params.basic === undefined ? 'anonymous' : 'password'} token request at ${new URL(params.origin).host}`,
    };
}
function processBasicTokenResponse(loginServer, anonymous, res) {
    if (res.status === 200 && jsonField(res.body, 'access_token') !== undefined)
        return;
    if (res.status === 401 || res.status === 403) {
        if (anonymous) {
            throw new errors/* AcrLoginError */.WE('ACR_ANONYMOUS_DISABLED', `"${loginServer}" does not allow anonymous pull (HTTP ${res.status}). Enable it with "az acr update --name <registry> --anonymous-pull-enabled", or choose an ${(0,wording/* input */.hF)('authType')} that signs in.`, { input: 'authType', details: correlation(res) });
        }
        throw new errors/* AcrLoginError */.WE('ACR_TOKEN_DENIED', `"${loginServer}" rejected the ${(0,wording/* input */.hF)('username')} and ${(0,wording/* input */.hF)('password')} (HTTP ${res.status}${acrErrorText(res.body)}). For the admin user, check that it is enabled and copy a current password from the registry's Access keys; for a repository-scoped token, check that the token is enabled, not expired and that the password was generated for it.`, { input: 'password', details: correlation(res) });
    }
    throw unexpected(loginServer, '/oauth2/token', res);
}
function jsonField(body, field) {
    try {
        const value = JSON.parse(body)[field];
        return typeof value === 'string' && value !== '' ? value : undefined;
    }
    catch {
        return undefined;
    }
}
/** `: <message>` from ACR's `{"errors":[{"code","message"}]}`, or nothing. Never echoes tokens: ACR does not. */
function acrErrorText(body) {
    try {
        const parsed = JSON.parse(body);
        const first = parsed.errors?.[0];
        const message = typeof first?.message === 'string' ? first.message : undefined;
        const code = typeof first?.code === 'string' ? first.code : undefined;
        if (message === undefined && code === undefined)
            return '';
        return `: ${[code, message].filter((part) => part !== undefined).join(' ')}`.slice(0, 300);
    }
    catch {
        return '';
    }
}
function correlation(res) {
    const id = res.headers['x-ms-correlation-request-id'];
    return id === undefined ? {} : { correlationId: id };
}
function unexpected(loginServer, path, res) {
    const id = res.headers['x-ms-correlation-request-id'];
    return new errors/* AcrLoginError */.WE('HTTP_FAILED', `"${loginServer}" answered ${path} with HTTP ${res.status}${acrErrorText(res.body)}${id === undefined ? '' : ` (correlation id ${id})`}. If this persists, check the Azure status page and retry later.`, { details: correlation(res) });
}


/***/ }),

/***/ 7169:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   N: () => (/* binding */ readOidcClaims),
/* harmony export */   e: () => (/* binding */ readTokenInfo)
/* harmony export */ });
/* harmony import */ var jose__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(5509);

function stringList(value) {
    return Array.isArray(value) ? value.filter((item) => typeof item === 'string') : [];
}
function seconds(value) {
    return typeof value === 'number' && Number.isFinite(value) ? new Date(value * 1000) : undefined;
}
/**
 * Reads what we need from an ACR token without verifying it: we are not its audience, the registry is.
 * Returns undefined when the value is not a JWT (scope-map passwords, admin passwords).
 */
function readTokenInfo(token) {
    let claims;
    try {
        claims = (0,jose__WEBPACK_IMPORTED_MODULE_0__/* .decodeJwt */ .i)(token);
    }
    catch {
        return undefined;
    }
    const permissions = (claims.permissions ?? {});
    return {
        expiresOn: seconds(claims.exp),
        issuedAt: seconds(claims.iat),
        actions: stringList(permissions.actions ?? permissions.Actions),
        notActions: stringList(permissions.notActions ?? permissions.NotActions),
    };
}
/** Non-secret claims of a federated (OIDC) token, to explain a rejected assertion. */
function readOidcClaims(token) {
    try {
        const claims = (0,jose__WEBPACK_IMPORTED_MODULE_0__/* .decodeJwt */ .i)(token);
        const aud = Array.isArray(claims.aud) ? claims.aud.join(' ') : (claims.aud ?? '');
        return { iss: claims.iss ?? '', sub: claims.sub ?? '', aud };
    }
    catch {
        return undefined;
    }
}


/***/ }),

/***/ 5875:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   C4: () => (/* binding */ ACR_REFRESH_TOKEN_USERNAME),
/* harmony export */   Gi: () => (/* binding */ nullLogger),
/* harmony export */   Wz: () => (/* binding */ LOGIN_INPUT_KEYS)
/* harmony export */ });
/** A logger that drops everything: handy in tests and for library use. */
const nullLogger = {
    debug() { },
    info() { },
    warning() { },
    mask() { },
};
/**
 * Every input core reads, by key. Keys are core's own: each host renders them in its CI's words (the
 * Action's `client-secret`, the task's `clientSecret` or "the service connection"); see `wording.ts`.
 */
const LOGIN_INPUT_KEYS = [
    /** One or more registries separated by newlines or commas; each may carry `key=value` overrides. */
    'registry',
    'authType',
    'clientId',
    'tenantId',
    'clientSecret',
    /** PEM text (certificate and private key) or a path to a PEM file. */
    'clientCertificate',
    'clientCertificatePassword',
    /** JSON of `az ad sp create-for-rbac --sdk-auth`. */
    'creds',
    'managedIdentityResourceId',
    'username',
    'password',
    'environment',
    'authorityHost',
    'registrySuffix',
    /** OIDC audience requested from the CI's token service. */
    'audience',
    /** `acr` (default) or `arm`. */
    'tokenAudience',
    /** `docker` (default), `podman`, `helm`, `oras`, `all`; comma or newline separated. */
    'clients',
    /** Login servers outside the cloud's registry suffix that may still receive an Entra token. */
    'trustedRegistries',
    /** Azure Pipelines: service connection id, needed by `AzurePipelinesCredential`. */
    'serviceConnectionId',
    /** Azure Pipelines: `System.AccessToken` for the OIDC request. */
    'systemAccessToken',
    /** Repositories to check after the login: `name`, `name:pull`, `name:push`, optionally `<login server>/`. */
    'repositories',
];
const ACR_REFRESH_TOKEN_USERNAME = '00000000-0000-0000-0000-000000000000';


/***/ }),

/***/ 1004:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   J2: () => (/* binding */ EnvHttpProxyAgent),
/* harmony export */   g6: () => (/* binding */ Agent),
/* harmony export */   xo: () => (/* reexport safe */ undici_lib_global_js__WEBPACK_IMPORTED_MODULE_5__.getGlobalDispatcher)
/* harmony export */ });
/* unused harmony exports Dispatcher, ProxyAgent */
/* harmony import */ var undici_lib_api_index_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2531);
/* harmony import */ var undici_lib_dispatcher_agent_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1745);
/* harmony import */ var undici_lib_dispatcher_agent_js__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(undici_lib_dispatcher_agent_js__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var undici_lib_dispatcher_dispatcher_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(3415);
/* harmony import */ var undici_lib_dispatcher_dispatcher_js__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(undici_lib_dispatcher_dispatcher_js__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var undici_lib_dispatcher_env_http_proxy_agent_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(9221);
/* harmony import */ var undici_lib_dispatcher_env_http_proxy_agent_js__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(undici_lib_dispatcher_env_http_proxy_agent_js__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var undici_lib_dispatcher_proxy_agent_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(7508);
/* harmony import */ var undici_lib_dispatcher_proxy_agent_js__WEBPACK_IMPORTED_MODULE_4___default = /*#__PURE__*/__webpack_require__.n(undici_lib_dispatcher_proxy_agent_js__WEBPACK_IMPORTED_MODULE_4__);
/* harmony import */ var undici_lib_global_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(1481);
/* harmony import */ var undici_lib_global_js__WEBPACK_IMPORTED_MODULE_5___default = /*#__PURE__*/__webpack_require__.n(undici_lib_global_js__WEBPACK_IMPORTED_MODULE_5__);





// What undici's index does: request() and connect() (which ProxyAgent tunnels with) live on the prototype.
Object.assign((undici_lib_dispatcher_dispatcher_js__WEBPACK_IMPORTED_MODULE_2___default().prototype), undici_lib_api_index_js__WEBPACK_IMPORTED_MODULE_0__);
const Dispatcher = (/* unused pure expression or super */ null && (DispatcherClass));
const Agent = (undici_lib_dispatcher_agent_js__WEBPACK_IMPORTED_MODULE_1___default());
const ProxyAgent = (/* unused pure expression or super */ null && (ProxyAgentClass));
const EnvHttpProxyAgent = (undici_lib_dispatcher_env_http_proxy_agent_js__WEBPACK_IMPORTED_MODULE_3___default());



/***/ }),

/***/ 2224:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   BG: () => (/* binding */ basicCredentials),
/* harmony export */   M5: () => (/* binding */ blankToUndefined),
/* harmony export */   mJ: () => (/* binding */ isLocalHost)
/* harmony export */ });
/** Small helpers more than one stage needs: one copy each. */
/** An input's value trimmed, or undefined when it is blank. */
function blankToUndefined(value) {
    const text = value?.trim();
    return text === undefined || text === '' ? undefined : text;
}
/**
 * IMDS and loopback are on this machine: a proxy cannot reach them, and must never see their tokens.
 * `hostname` as `URL.hostname` gives it (IPv6 in brackets).
 */
function isLocalHost(hostname) {
    const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
    return (host === '169.254.169.254' || host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host));
}
/** base64 of `user:password`: what Basic auth sends and what `auths.<server>.auth` holds. */
function basicCredentials(username, password) {
    return Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
}


/***/ })

};

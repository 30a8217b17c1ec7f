export const id = 39;
export const ids = [39];
export const modules = {

/***/ 2039:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  run: () => (/* binding */ run)
});

// EXTERNAL MODULE: ../core/src/errors.ts
var src_errors = __webpack_require__(319);
// EXTERNAL MODULE: ../core/src/http.ts
var src_http = __webpack_require__(7964);
// EXTERNAL MODULE: ../core/src/identity/aadsts.ts
var aadsts = __webpack_require__(2107);
// EXTERNAL MODULE: ../core/src/identity/kinds/index.ts + 7 modules
var kinds = __webpack_require__(9418);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __webpack_require__(7975);
// EXTERNAL MODULE: ../core/src/util.ts
var util = __webpack_require__(2224);
// EXTERNAL MODULE: ../core/src/clients/config-file.ts
var config_file = __webpack_require__(4670);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(1421);
;// CONCATENATED MODULE: ../core/src/clients/run.ts

/**
 * Runs a program without a shell, writes `stdin` and collects its output. Secrets only ever travel on
 * stdin. Rejects only when the program cannot be started (ENOENT: not installed or not on PATH).
 */
function runWithStdin(program, args, stdin, env, timeoutMs) {
    return new Promise((resolve, reject) => {
        const child = (0,external_node_child_process_.spawn)(program, args, { env: { ...env }, stdio: ['pipe', 'pipe', 'pipe'], shell: false });
        // Our own timer rather than spawn's `timeout`, which stays armed when the program is missing and
        // keeps the step alive until it fires.
        let timedOut = false;
        const timer = setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
        }, timeoutMs);
        const stdout = [];
        const stderr = [];
        child.stdout.on('data', (chunk) => stdout.push(chunk));
        child.stderr.on('data', (chunk) => stderr.push(chunk));
        child.once('error', (error) => {
            clearTimeout(timer);
            reject(error);
        });
        child.once('close', (code) => {
            clearTimeout(timer);
            resolve({
                code: timedOut ? null : code,
                stdout: Buffer.concat(stdout).toString('utf8'),
                stderr: Buffer.concat(stderr).toString('utf8'),
            });
        });
        // The program may exit before reading stdin (a bad flag): its exit code tells what happened.
        child.stdin.on('error', () => { });
        child.stdin.end(stdin);
    });
}

;// CONCATENATED MODULE: ../core/src/clients/cred-helper.ts



/** What every helper built on docker-credential-helpers prints for a server it holds nothing for. */
const NOT_FOUND = 'credentials not found in native keychain';
/** A helper waiting for a keychain, GPG or D-Bus prompt would hang the step while we hold the file lock. */
const HELPER_TIMEOUT_MS = 30_000;
/** The fixes that always apply when a helper owns a registry; the caller puts the most likely one first. */
const ROUTING_FIX = 'or remove this registry from credHelpers (or remove credsStore) in the Docker config, or set DOCKER_CONFIG ' +
    'to a directory without them';
function isCredential(value) {
    if (typeof value !== 'object' || value === null)
        return false;
    const record = value;
    return (typeof record.ServerURL === 'string' &&
        typeof record.Username === 'string' &&
        typeof record.Secret === 'string');
}
/** Recognises at logout what the login left in the helper, without keeping our own secret in the state. */
function credentialDigest(credential) {
    return (0,external_node_crypto_.createHash)('sha256')
        .update(JSON.stringify([credential.Username, credential.Secret]))
        .digest('hex');
}
/** Host of a server as helpers list it: some keep the scheme or a trailing slash docker once sent. */
function host(server) {
    return server
        .replace(/^https?:\/\//i, '')
        .replace(/\/+$/, '')
        .toLowerCase();
}
function lists(listed, server) {
    return Object.keys(listed).some((key) => host(key) === host(server));
}
function createCredentialHelper(name, options) {
    const program = `docker-credential-${name}`;
    const timeoutMs = options.timeoutMs ?? HELPER_TIMEOUT_MS;
    const details = (server) => ({ server, helper: name });
    /** Runs one action; throws a readable error unless it exits 0 (or is a `get` that found nothing). */
    async function invoke(action, stdin, server, secret) {
        let outcome;
        try {
            outcome = await runWithStdin(program, [action], stdin, options.env, timeoutMs);
        }
        catch (error) {
            if (error.code === 'ENOENT') {
                throw new src_errors/* AcrLoginError */.WE('DOCKER_LOGIN_FAILED', `The Docker config routes "${server}" to the credential helper "${program}" (credsStore or ` +
                    `credHelpers), but "${program}" is not installed or not on PATH, so docker could neither use nor ` +
                    `keep a login for this registry. Install ${program} and put it on the PATH of the runner or agent ` +
                    `(a service often has a shorter PATH than a login shell), ${ROUTING_FIX}.`, { cause: error, details: details(server) });
            }
            throw new src_errors/* AcrLoginError */.WE('DOCKER_LOGIN_FAILED', `Running \`${program} ${action}\` for "${server}" failed: ${(0,src_errors/* errorMessage */.gJ)(error)}.`, { cause: error, details: details(server) });
        }
        if (outcome.code === null) {
            throw new src_errors/* AcrLoginError */.WE('DOCKER_LOGIN_FAILED', `\`${program} ${action}\` for "${server}" did not finish within ${timeoutMs / 1000} s: the helper is ` +
                'probably waiting for a keychain, GPG or D-Bus prompt, which a CI job cannot answer. Unlock the ' +
                `helper's store for this user, ${ROUTING_FIX}.`, { details: details(server) });
        }
        const output = `${outcome.stdout}\n${outcome.stderr}`.trim();
        if (outcome.code === 0)
            return { found: true, stdout: outcome.stdout };
        if (action === 'get' && output === NOT_FOUND)
            return { found: false, stdout: '' };
        // Helpers put the reason on stdout; the last line is the error itself. Never echo what we sent.
        const lines = output.split('\n').filter((line) => line.trim() !== '');
        let reason = lines.at(-1)?.trim() ?? 'no output';
        if (secret !== undefined && secret.length > 0)
            reason = reason.split(secret).join('***');
        throw new HelperFailure(program, action, outcome.code, reason, details(server));
    }
    async function list(server) {
        const { stdout } = await invoke('list', '', server);
        let parsed;
        try {
            parsed = JSON.parse(stdout);
        }
        catch {
            parsed = undefined;
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
            throw new HelperFailure(program, 'list', 0, 'its answer is not a JSON object', details(server));
        }
        return parsed;
    }
    return {
        program,
        list,
        async get(server) {
            let answer;
            try {
                answer = await invoke('get', server, server);
            }
            catch (error) {
                // Some helpers word "none" their own way (docker-credential-gcloud for a host it does not serve):
                // when `list` works and does not name the server, there is nothing to lose. Otherwise the failure
                // stands: a credential that exists but cannot be read could not be put back.
                if (!(error instanceof HelperFailure))
                    throw error;
                const listed = await list(server).catch(() => undefined);
                if (listed === undefined || lists(listed, server))
                    throw error;
                return undefined;
            }
            const { found, stdout } = answer;
            if (!found)
                return undefined;
            let parsed;
            try {
                parsed = JSON.parse(stdout);
            }
            catch {
                parsed = undefined;
            }
            if (!isCredential(parsed)) {
                throw new HelperFailure(program, 'get', 0, 'its answer is not a credential in JSON', details(server));
            }
            if (parsed.Secret !== '')
                options.logger.mask(parsed.Secret);
            if (parsed.Username !== '' || parsed.Secret !== '')
                return parsed;
            // Some helpers (docker-credential-pass 0.6.4, as Debian ships it) answer an empty credential instead
            // of "not found": only `list` tells an empty slot from a credential that is really empty.
            if (!lists(await list(server), server))
                return undefined;
            return parsed;
        },
        async store(credential) {
            await invoke('store', JSON.stringify(credential), credential.ServerURL, credential.Secret);
        },
        async erase(server) {
            await invoke('erase', server, server);
        },
    };
}
/** A helper that ran and refused: the caller words the message for what it was doing. */
class HelperFailure extends src_errors/* AcrLoginError */.WE {
    program;
    action;
    exitCode;
    reason;
    constructor(program, action, exitCode, reason, details) {
        super('DOCKER_LOGIN_FAILED', `\`${program} ${action}\` ${exitCode === 0 ? 'failed' : `exited with ${exitCode}`}: ${reason}`, { details });
        this.program = program;
        this.action = action;
        this.exitCode = exitCode;
        this.reason = reason;
    }
}
/**
 * Before logging in over a server a helper owns: a credential we cannot read is one we could not put back,
 * so the login stops here rather than destroy it (and a helper that cannot read usually cannot store).
 */
function unreadableCredential(server, error) {
    if (!(error instanceof HelperFailure))
        return error;
    return new src_errors/* AcrLoginError */.WE('DOCKER_LOGIN_FAILED', `Before logging in, acr-login could not read the credential "${error.program}" holds for "${server}" ` +
        `(\`${error.program} ${error.action}\` ${error.exitCode === 0 ? 'failed' : `exited with ${error.exitCode}`}: ` +
        `${error.reason}), so it could not restore it after the job; nothing was changed. Make the helper work ` +
        `for this user (try \`echo ${server} | ${error.program} get\`), ${ROUTING_FIX}.`, { cause: error, details: error.details });
}

;// CONCATENATED MODULE: ../core/src/clients/docker-cli.ts


/** A helper waiting for a keychain or GPG prompt would hang the step while we hold the file's lock. */
const DOCKER_TIMEOUT_MS = 60_000;
/** docker never echoes the password, but its output is not ours to trust; very short values would mangle it. */
function scrub(text, secret) {
    return secret.length < 4 ? text : text.split(secret).join('***');
}
function createDockerCli(options) {
    const command = options.command ?? 'docker';
    const timeoutMs = options.timeoutMs ?? DOCKER_TIMEOUT_MS;
    async function invoke(args, stdin, request, action) {
        let outcome;
        try {
            outcome = await runWithStdin(command, args, stdin, options.env, timeoutMs);
        }
        catch (error) {
            const notFound = error.code === 'ENOENT';
            throw new src_errors/* AcrLoginError */.WE('DOCKER_LOGIN_FAILED', notFound
                ? `The Docker config routes "${request.server}" to the credential helper "docker-credential-${request.helper}" ` +
                    '(credsStore or credHelpers), so docker would ignore credentials written to config.json, and ' +
                    `running \`docker ${action}\` to store them through the helper failed: "${command}" is not installed ` +
                    'or not on PATH. Install the docker CLI, or remove credsStore/credHelpers for this registry, or set ' +
                    'DOCKER_CONFIG to a directory without them.'
                : `Running \`docker ${action} ${request.server}\` failed: ${scrub((0,src_errors/* errorMessage */.gJ)(error), stdin)}.`, { cause: error, details: { server: request.server, helper: request.helper } });
        }
        if (outcome.code === null) {
            throw new src_errors/* AcrLoginError */.WE('DOCKER_LOGIN_FAILED', `\`docker ${action} ${request.server}\` did not finish within ${timeoutMs / 1000} s: the credential ` +
                `helper "docker-credential-${request.helper}" is probably waiting for a keychain or GPG prompt, which a CI ` +
                'job cannot answer. Unlock the helper for this user, or remove credsStore/credHelpers for this registry ' +
                'from the Docker config.', { details: { server: request.server, helper: request.helper } });
        }
        if (outcome.code !== 0) {
            // docker prints its retries as info lines first; the last line is the error itself.
            const output = `${outcome.stdout}\n${outcome.stderr}`.trim();
            const lines = output.split('\n').filter((line) => line.trim() !== '');
            const reason = scrub(lines.at(-1) ?? 'no output', stdin);
            // docker checked the credentials, then the helper refused to keep them (ecr-login for any other
            // registry, a store without its key): the registry is fine, the routing is what needs the fix.
            const refused = /error storing credentials - err: (.*?), out: `([^`]*)`/s.exec(output);
            if (refused !== null) {
                const answer = scrub((refused[2] ?? '').trim() || (refused[1] ?? '').trim(), stdin);
                throw new src_errors/* AcrLoginError */.WE('DOCKER_LOGIN_FAILED', `The credential helper "docker-credential-${request.helper}" cannot store credentials for ` +
                    `"${request.server}": it answered "${answer}". The Docker config routes this registry to it ` +
                    '(credsStore or credHelpers), so docker cannot keep a login there. Remove this registry from ' +
                    'credHelpers (or remove credsStore) in the Docker config, or point it at a helper that can store ' +
                    "credentials, or set DOCKER_CONFIG to a directory without them; if the helper's store is locked, " +
                    'unlock it for this user.', { details: { server: request.server, helper: request.helper } });
            }
            throw new src_errors/* AcrLoginError */.WE('DOCKER_LOGIN_FAILED', `\`docker ${action} ${request.server}\` (run because the credential helper ` +
                `"docker-credential-${request.helper}" owns this registry) exited with ${outcome.code}: ` +
                `${reason}. Check that the registry accepts the credentials and that the helper works ` +
                `(\`docker-credential-${request.helper} list\`), or remove credsStore/credHelpers for this registry ` +
                'from the Docker config.', { details: { server: request.server, helper: request.helper } });
        }
    }
    return {
        login: (request) => invoke([
            '--config',
            request.configDir,
            'login',
            request.server,
            '--username',
            request.username,
            '--password-stdin',
        ], request.password, request, 'login'),
    };
}

;// CONCATENATED MODULE: ../core/src/clients/helper-entries.ts



/** docker stores an identity token under this user name when the registry hands one out at login. */
const IDENTITY_TOKEN_USER = '<token>';
/**
 * After `docker login`: makes sure the helper now hands out the new credential, and returns its digest (null
 * when the helper cannot say, and logout then trusts the entry). docker-credential-pass keeps one entry
 * per user name and answers with the first in sort order, so an older credential of another user can
 * still win: then the server's entries go and the new credential is stored alone.
 */
async function settle(store, login, logger) {
    try {
        let held = await store.get(login.loginServer);
        if (held !== undefined && held.Username !== login.username && held.Username !== IDENTITY_TOKEN_USER) {
            logger.debug(`"${store.program}" still answers for "${login.loginServer}" with another user's credential: storing the new one alone`);
            await store.erase(login.loginServer);
            await store.store({ ServerURL: login.loginServer, Username: login.username, Secret: login.password });
            held = await store.get(login.loginServer);
        }
        return held === undefined ? null : credentialDigest(held);
    }
    catch (error) {
        logger.debug(`Could not read back what "${store.program}" holds for "${login.loginServer}": ${(0,src_errors/* errorMessage */.gJ)(error)}`);
        return null;
    }
}
function helperSaved(entry) {
    const { written, previous } = entry;
    if (!(0,config_file/* isObject */.Gv)(written) || typeof written.credentialHelper !== 'string')
        return undefined;
    if (written.digest !== null && typeof written.digest !== 'string')
        return undefined;
    if (!(0,config_file/* isObject */.Gv)(previous) || !Object.hasOwn(previous, 'credential'))
        return undefined;
    const credential = previous.credential;
    if (credential !== null) {
        if (!(0,config_file/* isObject */.Gv)(credential))
            return undefined;
        for (const field of ['ServerURL', 'Username', 'Secret'])
            if (typeof credential[field] !== 'string')
                return undefined;
    }
    return { written: written, previous: previous };
}
/**
 * Puts back what a helper held for `key` before the login: the user's credential, or nothing. A credential
 * that is not the one the login left (another login stored its own since) is left alone; an empty slot
 * (a `docker logout` ran) gets the user's credential back, as nothing anyone else wrote is overwritten.
 * Returns what it did, or why it left the helper as it is.
 */
async function restoreHelper(key, saved, options) {
    const store = createCredentialHelper(saved.written.credentialHelper, {
        env: options.env,
        logger: options.logger,
    });
    const { credential } = saved.previous;
    try {
        const current = await store.get(key);
        if (current !== undefined &&
            saved.written.digest !== null &&
            credentialDigest(current) !== saved.written.digest) {
            return {
                left: `the credential in "${store.program}" changed since the login (another login stored it); left as it is`,
            };
        }
        if (credential !== null) {
            // Erase first: a helper keyed by user name as well (pass) would otherwise keep the login's entry.
            if (current !== undefined)
                await store.erase(key);
            await store.store(credential);
            return { done: 'restored' };
        }
        if (current === undefined)
            return { done: 'untouched' };
        await store.erase(key);
        return { done: 'removed' };
    }
    catch (error) {
        const lost = credential === null
            ? ''
            : ` The credential it held before the login (user "${credential.Username}") is not back: log in to ` +
                `${key} again with your own credential.`;
        return { left: `${(0,src_errors/* errorMessage */.gJ)(error)}${lost}` };
    }
}

// EXTERNAL MODULE: ../core/src/clients/lock.ts
var lock = __webpack_require__(8566);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
;// CONCATENATED MODULE: ../core/src/clients/paths.ts



/** oras reads Docker's config; podman, buildah and skopeo share the containers auth file. */
const CLIENT_FAMILY = {
    docker: 'docker',
    oras: 'docker',
    podman: 'containers',
    helm: 'helm',
};
/** An unset variable and an empty one mean the same to docker, podman and helm. */
function variable(env, name) {
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
}
/**
 * The home directory in the passwd database (on Windows, the profile directory), which docker
 * (cli/config getHomeDir) and podman (containers/storage homedir) fall back to when HOME is unset: root started
 * by cloud-init, or a systemd unit without User=. Undefined for a uid with no entry (a container run with --user).
 */
function passwdHome() {
    try {
        const dir = (0,external_node_os_.userInfo)().homedir;
        return dir === '' ? undefined : dir;
    }
    catch {
        return undefined;
    }
}
function home(env, platform, family, lookup) {
    // Go's os.UserHomeDir, which docker, oras and podman call, reads USERPROFILE on Windows and HOME elsewhere.
    // On Windows HOME is often set by Git Bash or MSYS to another directory, which those clients ignore.
    const name = platform === 'win32' ? 'USERPROFILE' : 'HOME';
    const value = variable(env, name) ?? lookup();
    if (value !== undefined)
        return value;
    const override = {
        docker: 'DOCKER_CONFIG',
        containers: 'REGISTRY_AUTH_FILE',
        helm: 'HELM_REGISTRY_CONFIG',
    }[family];
    const where = platform === 'win32'
        ? 'Windows reports no profile directory'
        : 'the passwd database has no home for this user';
    throw new src_errors/* AcrLoginError */.WE('CONFIG_WRITE_FAILED', `Cannot locate the ${family} credentials file: "${override}" and "${name}" are not set, and ${where}. ` +
        `Set ${override} to ${override === 'DOCKER_CONFIG' ? 'the directory that holds config.json' : 'the file to write'}, or set ${name}.`, { details: { variable: name } });
}
/** Where one client family reads credentials (pure apart from resolving relative paths against the cwd). */
function clientFile(family, env, platform = process.platform, lookup = passwdHome) {
    // Paths in the platform's own syntax, so that Windows resolution can be tested anywhere.
    const { join, resolve } = platform === 'win32' ? external_node_path_.win32 : external_node_path_.posix;
    const homeDir = () => home(env, platform, family, lookup);
    switch (family) {
        case 'docker': {
            // docker/cli config.Dir(): DOCKER_CONFIG names a directory; the file is always config.json in it.
            const dir = variable(env, 'DOCKER_CONFIG') ?? join(homeDir(), '.docker');
            return resolve(dir, 'config.json');
        }
        case 'containers': {
            const explicit = variable(env, 'REGISTRY_AUTH_FILE');
            if (explicit !== undefined)
                return resolve(explicit);
            if (platform !== 'linux')
                return resolve(homeDir(), '.config/containers/auth.json');
            // containers-auth.json(5): the primary read/write file is ${XDG_RUNTIME_DIR}/containers/auth.json.
            const runtime = variable(env, 'XDG_RUNTIME_DIR');
            if (runtime !== undefined)
                return resolve(runtime, 'containers/auth.json');
            // Without XDG_RUNTIME_DIR the primary file is /run/containers/<uid>/auth.json (root, as on most CI
            // runners: /run/containers/0/auth.json; podman run by systemd as root prefers /etc/containers/auth.json).
            // /run is not writable for other users, so write the first read-only fallback the tools search next,
            // ${XDG_CONFIG_HOME}/containers/auth.json: it is used whenever the primary file has no entry for the
            // registry, which is the case unless someone ran `podman login` to that registry before.
            const config = variable(env, 'XDG_CONFIG_HOME') ?? join(homeDir(), '.config');
            return resolve(config, 'containers/auth.json');
        }
        case 'helm': {
            const explicit = variable(env, 'HELM_REGISTRY_CONFIG');
            if (explicit !== undefined)
                return resolve(explicit);
            // helm's helmpath: HELM_CONFIG_HOME, then XDG_CONFIG_HOME/helm, then a per-platform default.
            const helmHome = variable(env, 'HELM_CONFIG_HOME');
            if (helmHome !== undefined)
                return resolve(helmHome, 'registry/config.json');
            const xdg = variable(env, 'XDG_CONFIG_HOME');
            if (xdg !== undefined)
                return resolve(xdg, 'helm/registry/config.json');
            if (platform === 'win32') {
                const appData = variable(env, 'APPDATA');
                if (appData !== undefined)
                    return resolve(appData, 'helm/registry/config.json');
            }
            const base = platform === 'darwin' ? join(homeDir(), 'Library/Preferences') : join(homeDir(), '.config');
            return resolve(base, 'helm/registry/config.json');
        }
    }
}
/** Where each client reads credentials, from the environment (and the passwd entry when HOME is unset). */
function resolveClientFiles(env, platform = process.platform, lookup = passwdHome) {
    return {
        docker: clientFile('docker', env, platform, lookup),
        containers: clientFile('containers', env, platform, lookup),
        helm: clientFile('helm', env, platform, lookup),
    };
}

;// CONCATENATED MODULE: ../core/src/clients/index.ts














/** What `docker login` stores: base64 of `user:password`. */
function authValue(login) {
    return { auth: (0,util/* basicCredentials */.BG)(login.username, login.password) };
}
/** The credential helper docker would use for `server`, if any: then an `auths` entry is ignored. */
function credentialHelper(config, server) {
    const helpers = config.credHelpers;
    if ((0,config_file/* isObject */.Gv)(helpers)) {
        const helper = helpers[server];
        if (typeof helper === 'string' && helper !== '')
            return helper;
    }
    const store = config.credsStore;
    return typeof store === 'string' && store !== '' ? store : undefined;
}
async function groupFiles(clients, env) {
    const files = {};
    const byFamily = new Map();
    const groups = new Map();
    for (const client of clients) {
        const family = CLIENT_FAMILY[client];
        let configured = byFamily.get(family);
        if (configured === undefined) {
            configured = clientFile(family, env);
            byFamily.set(family, configured);
        }
        files[client] = configured;
        // Several clients may read one file (REGISTRY_AUTH_FILE pointing at Docker's): write it once.
        const target = await (0,config_file/* resolveTarget */.u1)(configured);
        const group = groups.get(target) ?? { configured, target, clients: [] };
        groups.set(target, group);
        if (!group.clients.includes(client))
            group.clients.push(client);
        if (family === 'docker')
            group.dockerFile = configured;
    }
    return { groups: [...groups.values()], files };
}
/**
 * Writes one `auths` entry per login server into the file of every client, under a lock, atomically, with
 * mode 0600, keeping everything else in the file. Registries owned by a Docker credential helper go through
 * `docker login` instead. On failure, whatever was already written is removed again before rethrowing.
 */
function maskStrings(value, logger) {
    if (typeof value === 'string') {
        if (value.length >= 8)
            logger.mask(value);
    }
    else if (value !== null && typeof value === 'object') {
        for (const item of Object.values(value))
            maskStrings(item, logger);
    }
}
async function writeClientLogins(clients, logins, options) {
    const { groups, files } = await groupFiles(clients, options.env);
    // One entry per server: the last login for a server wins, as it would with repeated `docker login`.
    const unique = [...new Map(logins.map((login) => [login.loginServer, login])).values()];
    const entries = [];
    if (unique.length === 0)
        return { entries, files };
    const timeoutMs = options.lockTimeoutMs ?? lock/* DEFAULT_LOCK_TIMEOUT_MS */.L$;
    const docker = options.dockerCli ?? createDockerCli({ env: options.env });
    try {
        for (const group of groups) {
            const [client] = group.clients;
            if (client === undefined)
                continue;
            options.logger.debug(`Writing ${unique.length} registry login(s) for ${group.clients.join(', ')} to "${group.target}"` +
                (group.target === group.configured ? '' : ` (the target of "${group.configured}")`));
            await (0,config_file/* ensureDirectory */.EA)(group.target);
            await (0,lock/* withLock */.kK)(`${group.target}.lock`, { timeoutMs, file: group.target }, async () => {
                const existing = await (0,config_file/* readConfig */.Xg)(group.target);
                const { dockerFile } = group;
                const viaFile = [];
                for (const login of unique) {
                    const helper = dockerFile === undefined ? undefined : credentialHelper(existing ?? {}, login.loginServer);
                    if (helper === undefined || dockerFile === undefined) {
                        viaFile.push(login);
                        continue;
                    }
                    const server = login.loginServer;
                    options.logger.debug(`"${server}" belongs to the credential helper "docker-credential-${helper}": running docker login`);
                    // docker login replaces whatever the helper holds for the server: read it first, so that logout
                    // can put it back. The helper masks its secret as it reads it (it travels in the saved state).
                    const store = createCredentialHelper(helper, { env: options.env, logger: options.logger });
                    let before;
                    try {
                        before = await store.get(server);
                    }
                    catch (error) {
                        throw unreadableCredential(server, error);
                    }
                    const auths = (0,config_file/* isObject */.Gv)(existing?.auths) ? existing.auths : undefined;
                    const marker = auths !== undefined && Object.hasOwn(auths, server) ? structuredClone(auths[server]) : null;
                    await docker.login({
                        configDir: (0,external_node_path_.dirname)(dockerFile),
                        server,
                        username: login.username,
                        password: login.password,
                        helper,
                    });
                    const saved = {
                        written: { credentialHelper: helper, digest: await settle(store, login, options.logger) },
                        previous: { credential: before ?? null, auths: marker },
                    };
                    entries.push({
                        client,
                        method: 'docker-cli',
                        // docker resolves its own config through --config; the helper, not the file, holds the secret.
                        file: dockerFile,
                        key: server,
                        ...saved,
                        createdFile: false,
                        // docker login adds `auths` (with an empty marker for the server) when the file had none.
                        ...(existing !== undefined && auths === undefined ? { createdAuths: true } : {}),
                    });
                }
                if (viaFile.length === 0)
                    return;
                // docker login rewrites the file itself: merge into what it left.
                const current = viaFile.length === unique.length ? existing : await (0,config_file/* readConfig */.Xg)(group.target);
                const config = current ?? {};
                const createdFile = current === undefined;
                let createdAuths = false;
                if (!(0,config_file/* isObject */.Gv)(config.auths)) {
                    config.auths = {};
                    createdAuths = !createdFile;
                }
                const auths = config.auths;
                const pending = [];
                for (const login of viaFile) {
                    const written = authValue(login);
                    const previous = Object.hasOwn(auths, login.loginServer)
                        ? structuredClone(auths[login.loginServer])
                        : null;
                    // The entry we replace is the user's credential and travels in the saved state: mask it too.
                    maskStrings(previous, options.logger);
                    auths[login.loginServer] = written;
                    pending.push({
                        client,
                        method: 'file',
                        file: group.target,
                        key: login.loginServer,
                        written: structuredClone(written),
                        previous,
                        createdFile,
                        ...(createdAuths ? { createdAuths: true } : {}),
                    });
                    createdAuths = false;
                }
                await (0,config_file/* writeConfigAtomic */.fk)(group.target, config);
                entries.push(...pending);
            });
        }
    }
    catch (error) {
        // Leave no credentials behind that the caller has no state for; say so where that was not possible.
        if (entries.length > 0) {
            const cleanup = await removeClientLogins(entries, options);
            for (const left of cleanup.skipped) {
                options.logger.warning(`The login failed and could not remove ${left.key} from "${left.file}": ${left.reason}`);
            }
        }
        throw error;
    }
    return { entries, files };
}
function isEmptyConfig(config) {
    const keys = Object.keys(config);
    if (keys.length === 0)
        return true;
    return keys.length === 1 && (0,config_file/* isObject */.Gv)(config.auths) && Object.keys(config.auths).length === 0;
}
async function exists(file) {
    try {
        await (0,promises_.lstat)(file);
        return true;
    }
    catch (error) {
        if ((0,config_file/* errnoOf */.UQ)(error) === 'ENOENT')
            return false;
        throw error;
    }
}
/**
 * Undo `writeClientLogins`: each entry still holding what we wrote gets its previous value back (or goes),
 * an `auths` object or file we created goes when nothing else was added. An entry that changed since (a
 * later login) is left alone and reported in `skipped`. Never throws for one file: it reports and goes on.
 */
async function removeClientLogins(entries, options) {
    const result = { restored: 0, removed: 0, skipped: [] };
    const byFile = new Map();
    for (const entry of entries) {
        const list = byFile.get(entry.file) ?? [];
        list.push(entry);
        byFile.set(entry.file, list);
    }
    const timeoutMs = options.lockTimeoutMs ?? lock/* DEFAULT_LOCK_TIMEOUT_MS */.L$;
    const skipAll = (list, reason) => {
        for (const entry of list)
            result.skipped.push({ file: entry.file, key: entry.key, reason });
    };
    for (const [file, list] of byFile) {
        try {
            const target = await (0,config_file/* resolveTarget */.u1)(file);
            // Helper entries first, last written first, so that a server written twice ends with its oldest value.
            const restoreHelpers = async () => {
                const markers = [];
                for (const entry of list.filter((item) => item.method === 'docker-cli').reverse()) {
                    const saved = helperSaved(entry);
                    if (saved === undefined) {
                        skipAll([entry], 'the saved state does not say what the credential helper held before; left as it is');
                        continue;
                    }
                    const outcome = await restoreHelper(entry.key, saved, options);
                    if ('left' in outcome) {
                        skipAll([entry], outcome.left);
                        continue;
                    }
                    if (outcome.done === 'restored')
                        result.restored++;
                    if (outcome.done === 'removed')
                        result.removed++;
                    markers.push({ key: entry.key, auths: saved.previous.auths });
                }
                return markers;
            };
            if (!(await exists(target))) {
                // The helper holds its credentials outside the file: they still go back.
                await restoreHelpers();
                options.logger.debug(`"${target}" no longer exists: nothing to remove from it`);
                continue;
            }
            options.logger.debug(`Removing ${list.length} registry login(s) from "${target}"`);
            await (0,lock/* withLock */.kK)(`${target}.lock`, { timeoutMs, file: target }, async () => {
                // Entries whose helper is back as it was: their `auths` marker goes back too, below.
                const markers = await restoreHelpers();
                const fileEntries = list.filter((item) => item.method === 'file');
                if (fileEntries.length === 0 && markers.length === 0)
                    return;
                let config;
                try {
                    config = await (0,config_file/* readConfig */.Xg)(target);
                }
                catch (error) {
                    skipAll(fileEntries, (0,src_errors/* errorMessage */.gJ)(error));
                    return;
                }
                if (config === undefined)
                    return;
                const auths = (0,config_file/* isObject */.Gv)(config.auths) ? config.auths : undefined;
                let changed = false;
                for (const { key, auths: marker } of markers) {
                    if (auths === undefined)
                        break;
                    const current = Object.hasOwn(auths, key) ? auths[key] : null;
                    if ((0,external_node_util_.isDeepStrictEqual)(current, marker))
                        continue;
                    if (marker === null)
                        delete auths[key];
                    else
                        auths[key] = structuredClone(marker);
                    changed = true;
                }
                for (const entry of [...fileEntries].reverse()) {
                    const current = auths === undefined || !Object.hasOwn(auths, entry.key) ? undefined : auths[entry.key];
                    if (current === undefined) {
                        skipAll([entry], 'the entry was removed since the login (a logout ran); nothing to restore');
                        continue;
                    }
                    if (!(0,external_node_util_.isDeepStrictEqual)(current, entry.written)) {
                        skipAll([entry], 'the entry changed since the login (another login wrote it); left as it is');
                        continue;
                    }
                    if (auths === undefined)
                        continue;
                    if (entry.previous === null || entry.previous === undefined) {
                        delete auths[entry.key];
                        result.removed++;
                    }
                    else {
                        auths[entry.key] = structuredClone(entry.previous);
                        result.restored++;
                    }
                    changed = true;
                }
                if (!changed)
                    return;
                if (list.some((entry) => entry.createdAuths === true) && auths && Object.keys(auths).length === 0) {
                    delete config.auths;
                }
                if (fileEntries.some((entry) => entry.createdFile) && isEmptyConfig(config)) {
                    options.logger.debug(`Deleting "${target}": the login created it and it holds nothing else`);
                    await (0,config_file/* removeFile */.nM)(target);
                }
                else {
                    await (0,config_file/* writeConfigAtomic */.fk)(target, config);
                }
            });
        }
        catch (error) {
            skipAll(list, (0,src_errors/* errorMessage */.gJ)(error));
        }
    }
    return result;
}

;// CONCATENATED MODULE: ../core/src/identity/scope.ts
/** Accepted by every registry, and the only scope accepted when authentication-as-arm is disabled. */
const ACR_SCOPE = 'https://containerregistry.azure.net/.default';
/** The Entra scope for a token audience; the planner refuses `arm` where the cloud has none. */
function entraScope(audience, cloud) {
    return audience === 'acr' ? ACR_SCOPE : cloud.armScope;
}

// EXTERNAL MODULE: ../core/src/identity/token.ts
var identity_token = __webpack_require__(448);
// EXTERNAL MODULE: ../../node_modules/jose/dist/webapi/util/decode_jwt.js
var decode_jwt = __webpack_require__(5509);
// EXTERNAL MODULE: ../core/src/wording.ts
var wording = __webpack_require__(8810);
// EXTERNAL MODULE: ../core/src/registry/acr.ts + 1 modules
var acr = __webpack_require__(1123);
;// CONCATENATED MODULE: ../core/src/registry/access.ts




/**
 * Repository access check: after the login, ask the registry's token endpoint what the credential is granted
 * on each repository the job names, and fail before the build when something is missing. Request building and
 * response processing are separate functions, as in `acr.ts`, so both are tested without a network.
 *
 * Every scope asks `pull,push` on one named repository: the access token's `access` claim then tells exactly
 * what is granted, for the check and for the `access` output. No wildcard is ever sent: ABAC registries refuse
 * `repository:*:*` outright.
 */
/**
 * Repositories per token request: ten cost two round trips per registry. Small batches keep the form and the
 * access token short, and bound the extra requests when a refused batch is asked again one by one.
 */
const SCOPES_PER_REQUEST = 5;
/**
 * The target for a registry the step logged in to: its credential as the clients got it, and who that is.
 */
function accessTarget(registry, credential) {
    const { oidcSubject } = credential;
    const { loginServer } = credential;
    const identity = {
        description: credential.identity,
        ...(registry.auth.type === 'entra' &&
            'clientId' in registry.auth.identity &&
            registry.auth.identity.clientId !== undefined
            ? { assignee: registry.auth.identity.clientId }
            : {}),
        ...(oidcSubject === undefined ? {} : { oidcSubject }),
    };
    const accessCredential = credential.authType === 'anonymous'
        ? { type: 'anonymous' }
        : credential.authType === 'username-password'
            ? { type: 'password', username: credential.username, password: credential.password }
            : { type: 'refresh-token', refreshToken: credential.password };
    // ACR names its login server as the token service (the challenge's `service`).
    return { loginServer, service: loginServer, credential: accessCredential, identity };
}
const scope = (repository) => `repository:${repository}:pull,push`;
/** One token request for `repositories` (at most `SCOPES_PER_REQUEST` of them), scopes repeated. */
function accessRequest(target, repositories) {
    const origin = `https://${target.loginServer}`;
    const scopes = repositories.map(scope);
    const { credential } = target;
    const purpose = `repository access check at ${target.loginServer}`;
    if (credential.type === 'anonymous') {
        const query = new URLSearchParams({ service: target.service });
        for (const s of scopes)
            query.append('scope', s);
        return { method: 'GET', url: `${origin}/oauth2/token?${query.toString()}`, purpose };
    }
    const grant = credential.type === 'refresh-token'
        ? { grant_type: 'refresh_token', refresh_token: credential.refreshToken }
        : { grant_type: 'password', username: credential.username, password: credential.password };
    return {
        method: 'POST',
        url: `${origin}/oauth2/token`,
        purpose,
        form: { ...grant, service: target.service, scope: scopes },
    };
}
function accessRequests(target, repositories) {
    const batches = [];
    for (let i = 0; i < repositories.length; i += SCOPES_PER_REQUEST) {
        const slice = repositories.slice(i, i + SCOPES_PER_REQUEST);
        batches.push({ request: accessRequest(target, slice), repositories: slice });
    }
    return batches;
}
/** `["pull","push"]` from an `access` entry's actions; `*` means both. Other actions (delete) are not asked. */
function normaliseActions(actions) {
    const list = Array.isArray(actions) ? actions.filter((a) => typeof a === 'string') : [];
    const all = list.includes('*');
    return ['pull', 'push'].filter((a) => all || list.includes(a));
}
function processAccessResponse(loginServer, repositories, res) {
    if (res.status === 401 || res.status === 403) {
        return { kind: 'refused', reason: `HTTP ${res.status}${(0,acr/* acrErrorText */.GL)(res.body)}` };
    }
    if (res.status !== 200) {
        const id = res.headers['x-ms-correlation-request-id'];
        throw new src_errors/* AcrLoginError */.WE('HTTP_FAILED', `"${loginServer}" answered the repository access check (/oauth2/token) with HTTP ${res.status}${(0,acr/* acrErrorText */.GL)(res.body)}${id === undefined ? '' : ` (correlation id ${id})`}. If this persists, check the Azure status page and retry later.`, id === undefined ? {} : { details: { correlationId: id } });
    }
    let access;
    try {
        const token = JSON.parse(res.body).access_token;
        access = (0,decode_jwt/* decodeJwt */.i)(String(token)).access;
    }
    catch (error) {
        throw new src_errors/* AcrLoginError */.WE('REGISTRY_PROTOCOL', `"${loginServer}" answered the repository access check without a readable access token, so what it grants is unknown.`, { cause: error });
    }
    const entries = Array.isArray(access)
        ? access
        : [];
    const granted = new Map();
    for (const repository of repositories) {
        const entry = entries.find((e) => e.type === 'repository' && e.name === repository);
        granted.set(repository, normaliseActions(entry?.actions));
    }
    return { kind: 'granted', granted };
}
function isSatisfied(access) {
    return access.asked.every((action) => access.granted.includes(action));
}
/** The `access` output: `{ "<login server>/<repository>": ["pull","push"] }` of what was granted. */
function accessOutput(results) {
    return Object.fromEntries(results.map((r) => [`${r.loginServer}/${r.repository}`, [...r.granted]]));
}
/** The job summary's table: a header row, then one row per repository. */
function accessTable(results) {
    return [
        ['Registry', 'Repository', 'Asked', 'Granted'],
        ...results.map((r) => [r.loginServer, r.repository, actionsText(r.asked), actionsText(r.granted)]),
    ];
}
/* ---------------------------------------------------------------- messages */
const actionsText = (actions) => (actions.length === 0 ? 'nothing' : actions.join(', '));
function registryName(loginServer) {
    return loginServer.split('.')[0] ?? loginServer;
}
function scopeArgument(loginServer) {
    return `"$(az acr show --name ${registryName(loginServer)} --query id -o tsv)"`;
}
const REPOSITORY_ROLE = {
    pull: 'Container Registry Repository Reader',
    push: 'Container Registry Repository Writer',
};
const REGISTRY_ROLE = { pull: 'AcrPull', push: 'AcrPush' };
const DATA_ACTIONS = {
    pull: ['content/read', 'metadata/read'],
    push: ['content/read', 'metadata/read', 'content/write', 'metadata/write'],
};
/**
 * An ABAC condition that lets the role's data actions through only on `repositories` (Azure condition syntax
 * 2.0, `NOT` rather than `!` so that an interactive bash does not expand it).
 */
function repositoryCondition(need, repositories) {
    const actions = DATA_ACTIONS[need]
        .map((a) => `NOT (ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/${a}'})`)
        .join(' AND ');
    const names = repositories
        .map((r) => `@Resource[Microsoft.ContainerRegistry/registries/repositories:name] StringEqualsIgnoreCase '${r}'`)
        .join(' OR ');
    return `((${actions}) OR (${names}))`;
}
/** `push` when any missing repository needs push, else `pull`. */
function neededRole(missing) {
    return missing.some((m) => m.asked.includes('push') && !m.granted.includes('push')) ? 'push' : 'pull';
}
function quoted(items) {
    return items.map((i) => `"${i}"`).join(', ');
}
function entraFix(target, results, missing) {
    const { loginServer, identity } = target;
    const assignee = identity.assignee ?? '<object id of the identity>';
    const need = neededRole(missing);
    const names = missing.map((m) => m.repository);
    const scopeArg = scopeArgument(loginServer);
    const abacCommand = `az role assignment create --assignee ${assignee} --role "${REPOSITORY_ROLE[need]}" --scope ${scopeArg} --condition-version 2.0 --condition "${repositoryCondition(need, names)}"`;
    // Registry-wide roles (AcrPull/AcrPush) grant the same on every repository: grants that differ between
    // repositories can only come from ABAC repository permissions with a condition.
    const differing = new Set(results.map((r) => r.granted.join(','))).size > 1;
    if (differing) {
        const granted = results.filter((r) => r.granted.length > 0).map((r) => r.repository);
        return [
            `This identity is granted different rights on different repositories (it has rights on ${quoted(granted)}), which registry-wide roles cannot do: the registry uses ABAC repository permissions, and the condition of the identity's "${REPOSITORY_ROLE[need]}" (or "Container Registry Repository Contributor") assignment leaves out ${quoted(names)}.`,
            `Fix: add ${quoted(names)} to that assignment's condition (Azure portal: the registry's Access control (IAM), Role assignments, the assignment's Condition), or create an assignment for ${names.length === 1 ? 'it' : 'them'}:`,
            `  ${abacCommand}`,
        ];
    }
    return [
        `Fix: grant "${REGISTRY_ROLE[need]}" on the registry, or, if the registry uses ABAC repository permissions, "${REPOSITORY_ROLE[need]}" (with a condition for ${quoted(names)} if you scope it):`,
        `  az role assignment create --assignee ${assignee} --role ${REGISTRY_ROLE[need]} --scope ${scopeArg}`,
        `  ${abacCommand}`,
        `Which one applies depends on the registry's role assignment mode ("az acr show --name ${registryName(loginServer)} --query roleAssignmentMode"), which a registry login cannot read, so both are named: a registry with ABAC repository permissions ignores ${REGISTRY_ROLE[need]}. Role assignments can take a few minutes to apply.`,
    ];
}
function isAdminUser(loginServer, username) {
    return username.toLowerCase() === registryName(loginServer).toLowerCase();
}
function passwordFix(target, username, missing) {
    const name = registryName(target.loginServer);
    if (isAdminUser(target.loginServer, username)) {
        return [
            `Fix: the admin user has every right on a registry, so check the repository names; or log in with a repository-scoped token or a Microsoft Entra identity that has them.`,
        ];
    }
    const scopeMap = `"$(az acr token show --registry ${name} --name ${username} --query scopeMapId -o tsv | xargs basename)"`;
    return [
        `Fix: "${username}" is a repository-scoped token, which may use only the repositories its scope map lists. Add ${quoted(missing.map((m) => m.repository))} to that scope map:`,
        ...missing.map((m) => `  az acr scope-map update --registry ${name} --name ${scopeMap} --add-repository ${m.repository} ${m.asked.includes('push') ? 'content/read content/write' : 'content/read'}`),
    ];
}
function anonymousFix(missing) {
    if (neededRole(missing) === 'push') {
        return [
            `Fix: an anonymous login can only pull. To push, log in with an identity (${(0,wording/* input */.hF)('clientId')} and ${(0,wording/* input */.hF)('tenantId')} for OIDC) that has "AcrPush", or "Container Registry Repository Writer" on a registry with ABAC repository permissions.`,
        ];
    }
    return [
        'Fix: anonymous pull covers every repository of a registry that allows it; check the repository names, or log in with an identity that has "AcrPull" ("Container Registry Repository Reader" on a registry with ABAC repository permissions).',
    ];
}
/** Undefined when everything asked is granted; else the error naming what is missing and the fix. */
function accessMissingError(target, results) {
    const missing = results.filter((r) => !isSatisfied(r));
    if (missing.length === 0)
        return undefined;
    const { identity, credential, loginServer } = target;
    const who = `${identity.description}${identity.oidcSubject === undefined ? '' : ` (OIDC subject "${identity.oidcSubject}")`}`;
    const lines = [
        `Registry "${loginServer}": ${who} lacks access that ${(0,wording/* input */.hF)('repositories')} asks for:`,
        ...missing.map((m) => `  ${m.repository}: asked ${actionsText(m.asked)}; granted ${actionsText(m.granted)}${m.refusal === undefined ? '' : ` (the registry refused: ${m.refusal})`}`),
    ];
    if (credential.type === 'refresh-token')
        lines.push(...entraFix(target, results, missing));
    else if (credential.type === 'password')
        lines.push(...passwordFix(target, credential.username, missing));
    else
        lines.push(...anonymousFix(missing));
    const details = { registry: loginServer };
    if (identity.assignee !== undefined)
        details['client id'] = identity.assignee;
    if (identity.oidcSubject !== undefined)
        details['OIDC subject'] = identity.oidcSubject;
    return new src_errors/* AcrLoginError */.WE('ACR_ACCESS_MISSING', lines.join('\n'), { input: 'repositories', details });
}
/* ---------------------------------------------------------------- orchestration */
async function checkTarget(http, target, requests, mask) {
    const repositories = requests.map((r) => r.repository);
    const granted = new Map();
    const ask = async (batch) => {
        const res = await http.send(accessRequest(target, batch));
        maskToken(res, mask);
        const result = processAccessResponse(target.loginServer, batch, res);
        if (result.kind === 'granted') {
            for (const [repository, actions] of result.granted)
                granted.set(repository, { actions });
        }
        else if (batch.length > 1) {
            // A refused batch says nothing about which repository was refused: ask each alone.
            await Promise.all(batch.map((repository) => ask([repository])));
        }
        else {
            granted.set(batch[0], { actions: [], refusal: result.reason });
        }
    };
    await Promise.all(accessRequests(target, repositories).map((batch) => ask(batch.repositories)));
    return requests.map((r) => {
        const g = granted.get(r.repository) ?? { actions: [] };
        return {
            loginServer: r.loginServer,
            repository: r.repository,
            asked: r.actions,
            granted: g.actions,
            ...(g.refusal === undefined ? {} : { refusal: g.refusal }),
        };
    });
}
function maskToken(res, mask) {
    if (res.status !== 200)
        return;
    try {
        const token = JSON.parse(res.body).access_token;
        if (typeof token === 'string' && token !== '')
            mask(token);
    }
    catch {
        // unreadable: processAccessResponse reports it
    }
}
/**
 * Checks every requested repository on its registry's target (registries in parallel) and returns what was
 * granted, in the order asked. Throws one `ACR_ACCESS_MISSING` error covering every registry with a gap.
 */
async function checkAccess(http, targets, requests, mask) {
    const perTarget = await Promise.all(targets.map(async (target) => {
        const mine = requests.filter((r) => r.loginServer === target.loginServer);
        const results = mine.length === 0 ? [] : await checkTarget(http, target, mine, mask);
        return { target, results };
    }));
    const errors = perTarget.flatMap(({ target, results }) => accessMissingError(target, results) ?? []);
    const [first] = errors;
    if (first !== undefined) {
        if (errors.length === 1)
            throw first;
        throw new src_errors/* AcrLoginError */.WE('ACR_ACCESS_MISSING', errors.map((e) => e.message).join('\n'), {
            input: 'repositories',
            details: first.details,
            cause: new AggregateError(errors),
        });
    }
    const byKey = new Map(perTarget.flatMap(({ results }) => results).map((r) => [`${r.loginServer}/${r.repository}`, r]));
    return requests.flatMap((r) => byKey.get(`${r.loginServer}/${r.repository}`) ?? []);
}

// EXTERNAL MODULE: ../core/src/registry/jwt.ts
var jwt = __webpack_require__(7169);
// EXTERNAL MODULE: ../core/src/types.ts
var types = __webpack_require__(5875);
;// CONCATENATED MODULE: ../core/src/login.ts











/**
 * Runs `work` with an HttpClient on the environment's dispatcher, or on one of our own that is closed as
 * soon as `work` is done, so idle keep-alive sockets do not hold the process open.
 */
async function withHttp(environment, work) {
    const own = environment.dispatcher === undefined ? (0,src_http/* defaultDispatcher */.bA)(environment.env ?? process.env) : undefined;
    const http = new src_http/* HttpClient */.Qq({
        dispatcher: environment.dispatcher ?? own,
        logger: environment.logger,
        ...(environment.sleep === undefined ? {} : { sleep: environment.sleep }),
        ...(environment.clock === undefined ? {} : { clock: environment.clock }),
    });
    try {
        return await work(http);
    }
    finally {
        await own?.close();
    }
}
/**
 * Logs every registry of the plan in: Entra tokens (one per identity and scope) and `/v2/` challenges run
 * in parallel, then one exchange per registry; client files are written only when every registry
 * succeeded, so a failed run leaves them as they were.
 */
async function login(plan, environment) {
    const { logger } = environment;
    const env = environment.env ?? process.env;
    const tokens = new Map();
    const entraToken = (http, registry) => {
        if (registry.auth.type !== 'entra')
            throw new Error('unreachable: not an Entra registry');
        const { identity } = registry.auth;
        const scope = entraScope(registry.auth.audience, plan.cloud);
        const key = `${(0,kinds/* identityKey */.US)(identity)}|${scope}`;
        let token = tokens.get(key);
        if (token === undefined) {
            token = (0,identity_token/* getEntraToken */._b)(identity, scope, {
                cloud: plan.cloud,
                http,
                clock: environment.clock ?? src_http/* systemClock */.ml,
                dispatcher: http.dispatcher,
                logger,
                ...(environment.oidcToken === undefined ? {} : { oidcToken: environment.oidcToken }),
                ...(environment.debug === undefined ? {} : { debug: environment.debug }),
            });
            tokens.set(key, token);
        }
        return token;
    };
    const loginOne = async (http, registry) => {
        const { loginServer, auth } = registry;
        const origin = `https://${loginServer}`;
        // Start the Entra token first: the challenge needs no credentials, so both travel at once.
        const tokenPromise = auth.type === 'entra' ? entraToken(http, registry) : undefined;
        tokenPromise?.catch(() => { }); // awaited below; avoid an unhandled rejection while the challenge runs
        const challenge = (0,acr/* processChallengeResponse */.c5)(loginServer, await http.send((0,acr/* challengeRequest */.fE)(origin)));
        if (auth.type === 'anonymous') {
            if (!challenge.open) {
                const res = await http.send((0,acr/* basicTokenRequest */.rM)({ origin, service: challenge.service }));
                (0,acr/* processBasicTokenResponse */.ej)(loginServer, true, res);
            }
            return {
                loginServer,
                username: '',
                password: '',
                expiresOn: undefined,
                authType: 'anonymous',
                identity: 'anonymous',
            };
        }
        if (auth.type === 'username-password') {
            const res = await http.send((0,acr/* basicTokenRequest */.rM)({
                origin,
                service: challenge.service,
                basic: { username: auth.username, password: auth.password },
            }));
            (0,acr/* processBasicTokenResponse */.ej)(loginServer, false, res);
            const info = (0,jwt/* readTokenInfo */.e)(auth.password);
            return {
                loginServer,
                username: auth.username,
                password: auth.password,
                expiresOn: info?.expiresOn,
                authType: 'username-password',
                identity: `user ${auth.username}`,
            };
        }
        const entra = await tokenPromise;
        const identity = (0,kinds/* describeIdentity */.Cl)(auth.identity);
        const tenantId = 'tenantId' in auth.identity ? auth.identity.tenantId : undefined;
        const res = await http.send((0,acr/* exchangeRequest */.hQ)({ origin, service: challenge.service, tenantId, entraToken: entra.token }));
        const refreshToken = (0,acr/* processExchangeResponse */.mc)({ loginServer, identity, audience: auth.audience }, res);
        logger.mask(refreshToken, 'registry-password');
        return {
            loginServer,
            username: types/* ACR_REFRESH_TOKEN_USERNAME */.C4,
            password: refreshToken,
            expiresOn: (0,jwt/* readTokenInfo */.e)(refreshToken)?.expiresOn,
            authType: plan.authType,
            identity,
            audience: entraScope(auth.audience, plan.cloud),
            ...(entra.subject === undefined ? {} : { oidcSubject: entra.subject }),
        };
    };
    const { credentials, access } = await withHttp(environment, async (http) => {
        const settled = await Promise.allSettled(plan.registries.map((registry) => loginOne(http, registry).catch((error) => {
            throw (0,src_errors/* withContext */.eQ)(error, `Registry "${registry.loginServer}"`);
        })));
        const failures = settled.filter((result) => result.status === 'rejected');
        if (failures.length > 0)
            throw combine(failures.map((failure) => failure.reason));
        const credentials = settled.map((result) => result.value);
        // Before any file is written: a missing grant fails the step here, not at the push after the build.
        let access = [];
        if (plan.repositories.length > 0) {
            const targets = plan.registries.map((registry, i) => accessTarget(registry, credentials[i]));
            access = await checkAccess(http, targets, plan.repositories, (token) => logger.mask(token));
        }
        return { credentials, access };
    });
    const logins = credentials
        .filter((credential) => credential.authType !== 'anonymous')
        .map(({ loginServer, username, password }) => ({ loginServer, username, password }));
    for (const { username, password } of logins) {
        logger.mask(password, 'registry-password');
        // What the config files hold, and what `docker login` prints in its debug output.
        logger.mask((0,util/* basicCredentials */.BG)(username, password), 'registry-password');
    }
    let state = { version: 1, entries: [] };
    let files = {};
    if (logins.length > 0) {
        const written = await writeClientLogins(plan.clients, logins, { env, logger });
        state = { version: 1, entries: written.entries };
        files = written.files;
    }
    return { credentials, access, dockerConfig: files.docker ?? files.oras, files, state };
}
/**
 * A repository-scoped access token from a refresh token (`POST /oauth2/token`), for callers of the registry
 * API (`Authorization: Bearer`); `scopes` as ACR writes them, e.g. `repository:team/app:pull,push`.
 */
async function getAccessToken(loginServer, refreshToken, scopes, environment) {
    const origin = `https://${loginServer}`;
    const res = await withHttp(environment, (http) => http.send(accessTokenRequest({ origin, service: loginServer, refreshToken, scopes })));
    const token = processAccessTokenResponse(loginServer, res);
    environment.logger.mask(token);
    return token;
}
/** One error for several failed registries: the first one's code, every message. */
function combine(errors) {
    const [first] = errors;
    if (first === undefined)
        throw new Error('unreachable: no errors');
    if (errors.length === 1)
        return first;
    return new src_errors/* AcrLoginError */.WE(first.code, errors.map((error) => error.message).join('\n'), {
        cause: new AggregateError(errors),
        details: first.details,
        ...(first.input === undefined ? {} : { input: first.input }),
    });
}
function parseState(text) {
    try {
        const state = JSON.parse(text);
        if (state.version === 1 && Array.isArray(state.entries))
            return state;
    }
    catch {
        // fall through
    }
    throw new src_errors/* AcrLoginError */.WE('STATE_INVALID', 'The state saved by the login step is unreadable, so logout cannot tell which entries it wrote; nothing was removed.');
}
/** Removes exactly what `login` wrote, restoring what each entry held before. */
async function logout(state, environment) {
    return removeClientLogins(state.entries, {
        env: environment.env ?? process.env,
        logger: environment.logger,
    });
}

// EXTERNAL MODULE: ../core/src/ids.ts
var ids = __webpack_require__(6640);
;// CONCATENATED MODULE: ../core/src/plan/clouds.ts




const CLOUDS = {
    AzureCloud: {
        name: 'AzureCloud',
        authorityHost: 'https://login.microsoftonline.com',
        registrySuffix: 'azurecr.io',
        oidcAudience: 'api://AzureADTokenExchange',
        armScope: 'https://management.azure.com/.default',
        disableInstanceDiscovery: false,
    },
    AzureChinaCloud: {
        name: 'AzureChinaCloud',
        authorityHost: 'https://login.chinacloudapi.cn',
        registrySuffix: 'azurecr.cn',
        oidcAudience: 'api://AzureADTokenExchangeChina',
        armScope: 'https://management.chinacloudapi.cn/.default',
        disableInstanceDiscovery: false,
    },
    AzureUSGovernment: {
        name: 'AzureUSGovernment',
        authorityHost: 'https://login.microsoftonline.us',
        registrySuffix: 'azurecr.us',
        oidcAudience: 'api://AzureADTokenExchangeUSGov',
        armScope: 'https://management.usgovcloudapi.net/.default',
        disableInstanceDiscovery: false,
    },
};
/**
 * Accepted `environment` values, lower case. Besides the azure/login and Azure CLI names we accept the
 * names the Azure SDKs for Go/Java/.NET use (`AzurePublicCloud`, `AzureUSGovernmentCloud`), because users
 * copy `AZURE_ENVIRONMENT` values from those. `AzureStack` is what an Azure Pipelines service connection
 * reports for Azure Stack Hub: it is a custom cloud.
 */
const ALIASES = {
    azurecloud: 'AzureCloud',
    azurepubliccloud: 'AzureCloud',
    azurechinacloud: 'AzureChinaCloud',
    azureusgovernment: 'AzureUSGovernment',
    azureusgovernmentcloud: 'AzureUSGovernment',
    custom: 'custom',
    azurestack: 'custom',
};
const CLOUD_NAMES = ['AzureCloud', 'AzureChinaCloud', 'AzureUSGovernment', 'custom'];
/** Default OIDC audience of a custom cloud: Azure Stack and private clouds use the public value. */
const CUSTOM_OIDC_AUDIENCE = 'api://AzureADTokenExchange';
/**
 * The cloud named by `environment` (case-insensitive, default `AzureCloud`).
 *
 * `custom` (or `AzureStack`) needs `authority-host` and `registry-suffix`. It has no ARM scope (`armScope`
 * is empty: `token-audience: arm` is refused for it) and sets `disableInstanceDiscovery`, since MSAL
 * would otherwise ask the public cloud about an authority it does not know.
 *
 * With a named cloud:
 * - `authority-host` is an override (a private or proxied Entra endpoint): the cloud keeps its suffix,
 *   audience and ARM scope; a host other than the cloud's own also disables instance discovery.
 * - `registry-suffix` must equal the cloud's suffix. A different one is a conflict, not an override,
 *   because the suffix decides which hosts receive an Entra token: use `trusted-registries` for single
 *   hosts, or `environment: custom` for a different cloud.
 */
function resolveCloud(inputs) {
    const environment = inputs.environment?.trim() ?? '';
    const name = cloudNameOf(environment);
    if (name === undefined) {
        throw new src_errors/* AcrLoginError */.WE('CLOUD_UNKNOWN', `${(0,wording/* input */.hF)('environment')} is "${environment}", which is not a cloud acr-login knows. Use one of ${CLOUD_NAMES.join(', ')} (case-insensitive); for Azure Stack or a private cloud use "custom" with ${(0,wording/* input */.hF)('authorityHost')} and ${(0,wording/* input */.hF)('registrySuffix')}.`, { input: 'environment' });
    }
    const authorityInput = (0,util/* blankToUndefined */.M5)(inputs.authorityHost);
    const suffixInput = (0,util/* blankToUndefined */.M5)(inputs.registrySuffix);
    const audience = (0,util/* blankToUndefined */.M5)(inputs.audience);
    if (name === 'custom') {
        const missing = [
            ...(authorityInput === undefined ? ['authorityHost'] : []),
            ...(suffixInput === undefined ? ['registrySuffix'] : []),
        ];
        if (authorityInput === undefined || suffixInput === undefined) {
            throw new src_errors/* AcrLoginError */.WE('INPUT_REQUIRED', `${(0,wording/* input */.hF)('environment')} is "${environment}", a custom cloud, which also needs ${missing.map(wording/* input */.hF).join(' and ')}: ${(0,wording/* input */.hF)('authorityHost')} is the https URL of its Microsoft Entra ID (for example https://login.microsoftonline.com) and ${(0,wording/* input */.hF)('registrySuffix')} the DNS suffix of its registries (for example azurecr.io).`, { input: missing[0] ?? 'environment' });
        }
        return {
            name: 'custom',
            authorityHost: normaliseAuthorityHost(authorityInput),
            registrySuffix: normaliseRegistrySuffix(suffixInput),
            oidcAudience: audience ?? CUSTOM_OIDC_AUDIENCE,
            armScope: '',
            disableInstanceDiscovery: true,
        };
    }
    const known = CLOUDS[name];
    if (suffixInput !== undefined) {
        const suffix = normaliseRegistrySuffix(suffixInput);
        if (suffix !== known.registrySuffix) {
            throw new src_errors/* AcrLoginError */.WE('INPUT_CONFLICT', `${(0,wording/* input */.hF)('registrySuffix')} is "${suffix}" but ${(0,wording/* input */.hF)('environment')} ${environment === '' ? 'defaults to' : 'is'} ${known.name}, whose registries end in "${known.registrySuffix}". The suffix decides which hosts may receive a Microsoft Entra token, so it cannot be changed for a named cloud: list single hosts in ${(0,wording/* input */.hF)('trustedRegistries')}, or set ${(0,wording/* input */.hF)('environment')} to custom with ${(0,wording/* input */.hF)('authorityHost')} for another cloud.`, { input: 'registrySuffix' });
        }
    }
    const authorityHost = authorityInput === undefined ? known.authorityHost : normaliseAuthorityHost(authorityInput);
    return {
        ...known,
        authorityHost,
        oidcAudience: audience ?? known.oidcAudience,
        disableInstanceDiscovery: authorityHost !== known.authorityHost,
    };
}
/** The cloud an `environment` value names (case-insensitive; empty is AzureCloud), or undefined. */
function cloudNameOf(environment) {
    const text = environment.trim();
    return text === '' ? 'AzureCloud' : ALIASES[text.toLowerCase()];
}
/** The named cloud whose Entra authority is `url` (as in the `activeDirectoryEndpointUrl` of `--sdk-auth` creds). */
function cloudForAuthority(url) {
    let origin;
    try {
        origin = new URL(url.trim()).origin.toLowerCase();
    }
    catch {
        return undefined;
    }
    // MSAL's alias for the China authority (protocol-facts: it rewrites login.chinacloudapi.cn to it).
    if (origin === 'https://login.partner.microsoftonline.cn')
        return 'AzureChinaCloud';
    for (const cloud of Object.values(CLOUDS)) {
        if (cloud.authorityHost === origin)
            return cloud.name;
    }
    return undefined;
}
/** An https URL reduced to its origin. A path is refused: the tenant goes into `tenant-id`, not the URL. */
function normaliseAuthorityHost(value) {
    const text = value.trim();
    let url;
    try {
        url = new URL(text);
    }
    catch {
        throw new src_errors/* AcrLoginError */.WE('INPUT_INVALID', `${(0,wording/* input */.hF)('authorityHost')} is "${text}", which is not a URL. Give the https URL of Microsoft Entra ID, for example https://login.microsoftonline.com.`, { input: 'authorityHost' });
    }
    if (url.protocol !== 'https:') {
        throw new src_errors/* AcrLoginError */.WE('INPUT_INVALID', `${(0,wording/* input */.hF)('authorityHost')} is "${text}", but Microsoft Entra ID is reached over HTTPS only. Use an https:// URL.`, { input: 'authorityHost' });
    }
    if (url.username !== '' ||
        url.password !== '' ||
        url.search !== '' ||
        url.hash !== '' ||
        url.pathname !== '/') {
        throw new src_errors/* AcrLoginError */.WE('INPUT_INVALID', `${(0,wording/* input */.hF)('authorityHost')} must be the bare https origin of Microsoft Entra ID (for example https://login.microsoftonline.com), without a path, query or credentials; put the tenant into ${(0,wording/* input */.hF)('tenantId')}.`, { input: 'authorityHost' });
    }
    return url.origin;
}
/** A DNS suffix such as `azurecr.io`: lower case, leading dot stripped, at least two labels. */
function normaliseRegistrySuffix(value) {
    const suffix = value.trim().toLowerCase().replace(/^\./, '');
    if (!(0,ids/* isDnsName */.rM)(suffix) || !suffix.includes('.')) {
        throw new src_errors/* AcrLoginError */.WE('INPUT_INVALID', `${(0,wording/* input */.hF)('registrySuffix')} is "${value.trim()}", which is not a DNS suffix. Give the domain the registries' login servers end in, without scheme or dots around it, for example azurecr.io.`, { input: 'registrySuffix' });
    }
    return suffix;
}

;// CONCATENATED MODULE: ../core/src/plan/names.ts

/** Auth types that need no Microsoft Entra identity. */
const PLAIN_AUTH_TYPES = ['username-password', 'anonymous'];
const AUTH_TYPES = [
    ...Object.keys(kinds/* KINDS */.GW),
    ...PLAIN_AUTH_TYPES,
];
const CLIENT_KINDS = ['docker', 'podman', 'helm', 'oras'];
/** Inputs whose values are secrets: masked before anything else happens. */
const SECRET_INPUTS = [
    'clientSecret',
    'clientCertificatePassword',
    'creds',
    'password',
    'systemAccessToken',
];
function isEntraAuthType(type) {
    return Object.hasOwn(kinds/* KINDS */.GW, type);
}

;// CONCATENATED MODULE: ../core/src/plan/auto.ts




/**
 * A secret whose name is misspelled, or that a run is not given, arrives empty, and `auto` then picks a
 * secretless type: say so when that type fails, as the likelier cause.
 */
function emptySecretNote(values) {
    const secretless = values.clientSecret === undefined && values.clientCertificate === undefined && values.creds === undefined;
    if (values.clientId === undefined || !secretless)
        return undefined;
    return `If you meant to sign in with a client secret, ${(0,wording/* input */.hF)('clientSecret')} is empty: check the secret's name and that the secret is available to this run.`;
}
/** `servicePrincipal`, `Service_Principal` and ` service-principal ` are all `service-principal`. */
function parseAuthType(value) {
    const text = value?.trim() ?? '';
    if (text === '')
        return 'auto';
    const canonical = text
        .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
        .toLowerCase()
        .replace(/_/g, '-');
    if (canonical === 'auto')
        return 'auto';
    const found = AUTH_TYPES.find((type) => type === canonical);
    if (found === undefined) {
        throw new src_errors/* AcrLoginError */.WE('INPUT_INVALID', `${(0,wording/* input */.hF)('authType')} is "${text}", which is not an auth type. Use one of auto, ${AUTH_TYPES.join(', ')}.`, { input: 'authType' });
    }
    return found;
}
function envValue(facts, name) {
    return (0,util/* blankToUndefined */.M5)(facts.env[name]);
}
/** The auth type: the explicit one, or what `auto` reads from the inputs and the host's facts. */
function chooseAuthType(values, facts) {
    const explicit = parseAuthType(values.authType);
    if (explicit !== 'auto') {
        if (explicit === 'oidc' && !facts.oidcAvailable)
            throw oidcUnavailable(facts, (0,wording/* authTypeIs */.T_)('oidc'));
        return { authType: explicit, reason: `${(0,wording/* authTypeIs */.T_)(explicit)}.`, explicit: true };
    }
    const note = emptySecretNote(values);
    const chose = (authType, because) => ({
        authType,
        reason: `${because}, so ${(0,wording/* authTypeSetting */.BQ)('auto')} chose ${authType}.`,
        explicit: false,
        ...(note === undefined ? {} : { note }),
    });
    if (values.username !== undefined || values.password !== undefined) {
        return chose('username-password', setList(values, ['username', 'password']));
    }
    if (values.clientSecret !== undefined ||
        values.clientCertificate !== undefined ||
        values.creds !== undefined) {
        return chose('service-principal', setList(values, ['creds', 'clientSecret', 'clientCertificate']));
    }
    if (values.serviceConnectionId !== undefined) {
        return chose('azure-pipelines', `${(0,wording/* input */.hF)('serviceConnectionId')} is set`);
    }
    const federatedTokenFile = envValue(facts, 'AZURE_FEDERATED_TOKEN_FILE');
    if (values.clientId !== undefined && values.tenantId !== undefined) {
        if (facts.oidcAvailable) {
            return chose('oidc', `${(0,wording/* input */.hF)('clientId')} and ${(0,wording/* input */.hF)('tenantId')} are set and an OIDC token is available`);
        }
        if (federatedTokenFile === undefined) {
            // Falling through to managed identity would make a runner wait on an IMDS that is not there.
            throw oidcUnavailable(facts, `${(0,wording/* input */.hF)('clientId')} and ${(0,wording/* input */.hF)('tenantId')} are set, which means OIDC when ${(0,wording/* authTypeIs */.T_)('auto')}`, ` To use a user-assigned managed identity instead, set ${(0,wording/* authTypeSetting */.BQ)('managed-identity')} and leave ${(0,wording/* input */.hF)('tenantId')} empty.${note === undefined ? '' : ` ${note}`}`);
        }
    }
    if (federatedTokenFile !== undefined) {
        return chose('workload-identity', 'AZURE_FEDERATED_TOKEN_FILE is set (Kubernetes workload identity)');
    }
    if (values.tenantId !== undefined && facts.oidcAvailable) {
        // A managed identity takes no tenant: this is OIDC without its client id, which planning then names.
        return chose('oidc', `${(0,wording/* input */.hF)('tenantId')} is set and an OIDC token is available`);
    }
    if (values.clientId !== undefined || values.managedIdentityResourceId !== undefined) {
        return chose('managed-identity', `${setList(values, ['clientId', 'managedIdentityResourceId'])} without ${(0,wording/* input */.hF)('tenantId')}, which selects a user-assigned managed identity`);
    }
    return {
        authType: 'managed-identity',
        reason: `No credential, OIDC token or federated token file is available, so ${(0,wording/* authTypeSetting */.BQ)('auto')} chose managed-identity (the identity of this Azure machine).`,
        explicit: false,
    };
}
function oidcUnavailable(facts, why, extra = '') {
    const hint = facts.oidcUnavailableHint?.trim();
    return new src_errors/* AcrLoginError */.WE('OIDC_UNAVAILABLE', `${why}, but this job cannot get an OIDC token. ${hint === undefined || hint === '' ? 'The CI system offers none to it.' : hint}${extra}`, { input: 'authType' });
}
/** `"username" and "password" are set`, naming only those that are. */
function setList(values, keys) {
    const set = keys.filter((key) => values[key] !== undefined).map(wording/* input */.hF);
    return `${set.join(' and ')} ${set.length === 1 ? 'is' : 'are'} set`;
}

;// CONCATENATED MODULE: ../core/src/plan/creds.ts




/** The cloud `environment` names, or the one the `creds` authority belongs to; a conflict between them. */
function environmentFor(values, creds) {
    const fromCreds = creds?.authorityHost === undefined ? undefined : cloudForAuthority(creds.authorityHost);
    if (values.environment === undefined)
        return fromCreds;
    const named = cloudNameOf(values.environment);
    if (fromCreds !== undefined && named !== undefined && named !== 'custom' && named !== fromCreds) {
        throw new src_errors/* AcrLoginError */.WE('INPUT_CONFLICT', `${(0,wording/* input */.hF)('environment')} is ${named}, but the activeDirectoryEndpointUrl in ${(0,wording/* input */.hF)('creds')} belongs to ${fromCreds}. Set ${(0,wording/* input */.hF)('environment')} to ${fromCreds}, or leave it empty to use the cloud ${(0,wording/* input */.hF)('creds')} names.`, { input: 'environment' });
    }
    return values.environment;
}
/**
 * `creds`: the JSON of `az ad sp create-for-rbac --sdk-auth` (clientId, clientSecret, tenantId,
 * activeDirectoryEndpointUrl, ...) or of plain `create-for-rbac` (appId, password, tenant). Messages
 * never quote the text, nor the parser's error (V8 quotes the input in it): it holds a secret.
 */
function parseCreds(text) {
    const invalid = (rule) => new src_errors/* AcrLoginError */.WE('CREDS_INVALID', `${(0,wording/* input */.hF)('creds')} ${rule} It must be the JSON printed by "az ad sp create-for-rbac --sdk-auth" ({"clientId": ..., "clientSecret": ..., "tenantId": ...}) or by "az ad sp create-for-rbac" ({"appId": ..., "password": ..., "tenant": ...}), stored whole in a secret.`, { input: 'creds' });
    let parsed;
    try {
        parsed = JSON.parse(text);
    }
    catch {
        throw invalid('is not valid JSON (was the secret copied whole, with its braces and quotes?).');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw invalid('is JSON but not an object.');
    }
    const record = parsed;
    const field = (...names) => {
        for (const name of names) {
            const value = record[name];
            if (typeof value === 'string' && value.trim() !== '')
                return value.trim();
        }
        return undefined;
    };
    const clientId = field('clientId', 'appId');
    const clientSecret = field('clientSecret', 'password');
    const tenantId = field('tenantId', 'tenant');
    const missing = [
        ...(clientId === undefined ? ['clientId (or appId)'] : []),
        ...(clientSecret === undefined ? ['clientSecret (or password)'] : []),
        ...(tenantId === undefined ? ['tenantId (or tenant)'] : []),
    ];
    if (clientId === undefined || clientSecret === undefined || tenantId === undefined) {
        throw invalid(`lacks ${missing.join(', ')}.`);
    }
    if (!(0,ids/* isGuid */.W_)(clientId))
        throw invalid('has a clientId that is not a GUID.');
    if (!(0,ids/* isTenantId */.c9)(tenantId))
        throw invalid('has a tenantId that is neither a GUID nor a domain.');
    return { clientId, clientSecret, tenantId, authorityHost: field('activeDirectoryEndpointUrl') };
}

// EXTERNAL MODULE: ../core/src/identity/kind.ts
var kind = __webpack_require__(7127);
;// CONCATENATED MODULE: ../core/src/plan/identity.ts







/** The identity inputs each auth type uses: the Entra kinds say theirs. */
function accepted(authType) {
    if (authType === 'username-password')
        return ['username', 'password'];
    if (PLAIN_AUTH_TYPES.includes(authType))
        return [];
    return kinds/* KINDS */.GW[authType].accepts;
}
/** Refuses identity inputs the chosen auth type would silently ignore, and contradictory pairs. */
function checkBelongs(choice, values) {
    const allowed = accepted(choice.authType);
    for (const key of kind/* IDENTITY_INPUTS */.H3) {
        if (values[key] === undefined || allowed.includes(key))
            continue;
        const why = choice.explicit ? (0,wording/* authTypeIs */.T_)(choice.authType) : choice.reason.replace(/\.$/, '');
        throw new src_errors/* AcrLoginError */.WE('INPUT_CONFLICT', `${(0,wording/* input */.hF)(key)} is set, but ${why}, which does not use it. Remove ${(0,wording/* input */.hF)(key)}, or set ${(0,wording/* input */.hF)('authType')} to the type it belongs to.`, { input: key });
    }
    const conflict = (a, b, rule) => new src_errors/* AcrLoginError */.WE('INPUT_CONFLICT', `${(0,wording/* input */.hF)(a)} and ${(0,wording/* input */.hF)(b)} are both set: ${rule}`, { input: a });
    if (values.clientSecret !== undefined && values.clientCertificate !== undefined) {
        throw conflict('clientSecret', 'clientCertificate', 'a service principal signs in with one of them. Keep one.');
    }
    if (values.creds !== undefined && values.clientSecret !== undefined) {
        throw conflict('creds', 'clientSecret', `${(0,wording/* input */.hF)('creds')} already holds the secret. Keep one.`);
    }
    if (values.creds !== undefined && values.clientCertificate !== undefined) {
        throw conflict('creds', 'clientCertificate', `${(0,wording/* input */.hF)('creds')} holds a secret for the same purpose. Use ${(0,wording/* input */.hF)('clientCertificate')} with ${(0,wording/* input */.hF)('clientId')} and ${(0,wording/* input */.hF)('tenantId')} instead.`);
    }
    if (values.clientId !== undefined && values.managedIdentityResourceId !== undefined) {
        throw conflict('managedIdentityResourceId', 'clientId', 'each selects a user-assigned managed identity. Keep one.');
    }
    if (values.clientCertificatePassword !== undefined && values.clientCertificate === undefined) {
        throw new src_errors/* AcrLoginError */.WE('INPUT_CONFLICT', `${(0,wording/* input */.hF)('clientCertificatePassword')} is set without ${(0,wording/* input */.hF)('clientCertificate')}: it only decrypts the private key of that certificate. Set ${(0,wording/* input */.hF)('clientCertificate')} or remove the password.`, { input: 'clientCertificatePassword' });
    }
}
function checkClientId(value, key) {
    if (value === undefined || (0,ids/* isGuid */.W_)(value))
        return value;
    throw new src_errors/* AcrLoginError */.WE('INPUT_INVALID', `${(0,wording/* input */.hF)(key)} is "${value}", which is not a GUID. Use the Application (client) ID from the app registration's or managed identity's Overview page.`, { input: key });
}
function checkTenantId(value, key) {
    if (value === undefined || (0,ids/* isTenantId */.c9)(value))
        return value;
    throw new src_errors/* AcrLoginError */.WE('INPUT_INVALID', `${(0,wording/* input */.hF)(key)} is "${value}", which is neither a GUID nor a domain. Use the Directory (tenant) ID from the app registration's Overview page, or a verified domain such as contoso.onmicrosoft.com.`, { input: key });
}
/** Every missing value named at once, so one run shows the whole fix. */
function requireFields(authType, fields, labels = {}) {
    const missing = Object.keys(fields).filter((key) => fields[key] === undefined);
    if (missing.length === 0)
        return fields;
    const label = (key) => labels[key] ?? { text: (0,wording/* input */.hF)(key), input: key };
    const [first] = missing;
    throw new src_errors/* AcrLoginError */.WE('INPUT_REQUIRED', `${(0,wording/* authTypeSetting */.BQ)(authType)} needs ${missing.map((key) => label(key).text).join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} not set.`, { input: label(first).input });
}
/** The identity the inputs describe, before any registry's own overrides. */
function buildIdentity(authType, values, facts, creds, cloud) {
    const ctx = {
        cloud,
        value: (key) => values[key],
        env: (name) => envValue(facts, name),
        clientId: checkClientId(values.clientId, 'clientId'),
        tenantId: checkTenantId(values.tenantId, 'tenantId'),
        creds,
        checkClientId,
        checkTenantId,
        require: (fields, labels) => requireFields(authType, fields, labels),
    };
    return kinds/* KINDS */.GW[authType].build(ctx);
}
/** The identity for one registry: the base identity with that registry's tenant/client overrides. */
function registryIdentity(base, entry) {
    const { tenantId, clientId } = entry.overrides;
    const allowed = kinds/* KINDS */.GW[base.type].overridable;
    const name = (key) => (key === 'tenantId' ? 'tenant-id' : 'client-id');
    for (const [key, value] of [
        ['tenantId', tenantId],
        ['clientId', clientId],
    ]) {
        if (value !== undefined && !allowed.includes(key)) {
            throw new src_errors/* AcrLoginError */.WE('INPUT_CONFLICT', `${(0,wording/* input */.hF)('registry')} gives "${entry.loginServer}" its own ${name(key)}, which ${(0,wording/* authTypeSetting */.BQ)(base.type)} cannot use${base.type === 'service-principal' ? ' (its secret or certificate belongs to one application)' : ''}. Remove it from that entry${allowed.length > 0 ? `; only ${allowed.map(name).join(' and ')} may be set per registry` : ''}.`, { input: 'registry' });
        }
    }
    return {
        ...base,
        ...(tenantId === undefined ? {} : { tenantId }),
        ...(clientId === undefined ? {} : { clientId }),
    };
}

;// CONCATENATED MODULE: ../core/src/plan/values.ts



/** Items separated by newlines or commas, trimmed; blank items (YAML block scalars leave some) dropped. */
function splitList(text) {
    return text
        .split(/[\r\n,]+/)
        .map((item) => item.trim())
        .filter((item) => item !== '');
}
function parseTokenAudience(value, key) {
    const audience = value?.trim().toLowerCase() ?? '';
    if (audience === '' || audience === 'acr')
        return 'acr';
    if (audience === 'arm')
        return 'arm';
    throw new src_errors/* AcrLoginError */.WE('INPUT_INVALID', `${(0,wording/* input */.hF)(key)} is "${value?.trim()}", which is not a token audience. Use "acr" (the default, accepted by every registry) or "arm" (Azure Resource Manager tokens, for registries that allow them).`, { input: key });
}
/** A custom cloud has no known ARM audience, so `arm` cannot be asked for there. */
function checkAudience(audience, cloud, key) {
    if (audience === 'arm' && cloud.armScope === '') {
        throw new src_errors/* AcrLoginError */.WE('INPUT_CONFLICT', `${(0,wording/* input */.hF)(key)} asks for an ARM token, but a custom cloud has no known Azure Resource Manager audience. Set ${(0,wording/* input */.hF)('tokenAudience')} to acr.`, { input: key });
    }
    return audience;
}
/** `docker` (default), `podman`, `helm`, `oras` or `all`, separated by commas or new lines; order kept. */
function parseClients(value) {
    const items = splitList(value ?? '').map((item) => item.toLowerCase());
    if (items.length === 0)
        return ['docker'];
    const clients = new Set();
    for (const item of items) {
        if (item === 'all') {
            for (const kind of CLIENT_KINDS)
                clients.add(kind);
            continue;
        }
        const kind = CLIENT_KINDS.find((candidate) => candidate === item);
        if (kind === undefined) {
            throw new src_errors/* AcrLoginError */.WE('INPUT_INVALID', `${(0,wording/* input */.hF)('clients')} has "${item}", which is not a client acr-login configures. Use ${CLIENT_KINDS.join(', ')} or all, separated by commas.`, { input: 'clients' });
        }
        clients.add(kind);
    }
    return [...clients];
}

;// CONCATENATED MODULE: ../core/src/plan/registries.ts




/** ACR registry names: 5-50 letters and digits (case-insensitive; the login server is lower case). */
const ACR_NAME = /^[a-z0-9]{5,50}$/;
/**
 * A registry name or login server, normalised to the lower-case host:
 * - `contoso` -> `contoso.<suffix>`; `https://Contoso.AzureCR.io/` -> `contoso.azurecr.io`.
 * - `http://` is refused: an Entra or ACR token must never travel in clear text.
 * - A path is refused with the host as the fix (the repository belongs in the image name).
 * - Ports: ACR login servers have none, so in a named cloud only `:443` (the https default, dropped) is
 *   accepted; a custom cloud may serve its registries on another port, kept as `host:port` because
 *   that is how clients key their config files.
 * - Data endpoints (`contoso.westeurope.data.azurecr.io`) serve layers, not logins: refused with the
 *   login server as the fix.
 */
function normaliseLoginServer(value, cloud, key = 'registry') {
    const original = value.trim();
    const invalid = (rule) => new src_errors/* AcrLoginError */.WE('REGISTRY_INVALID', `${(0,wording/* input */.hF)(key)} has "${original}", ${rule}`, { input: key });
    let text = original;
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
    if (scheme === 'http') {
        throw new src_errors/* AcrLoginError */.WE('INPUT_INVALID', `${(0,wording/* input */.hF)(key)} has "${original}", but registries are reached over HTTPS only. Give the host without a scheme (or with https://).`, { input: key });
    }
    if (scheme !== undefined && scheme !== 'https') {
        throw invalid(`which has the scheme "${scheme}://". Give the login server's host name, for example contoso.${cloud.registrySuffix}.`);
    }
    if (scheme !== undefined)
        text = text.slice('https://'.length);
    if (text.endsWith('/'))
        text = text.slice(0, -1);
    const slash = text.indexOf('/');
    if (slash >= 0) {
        throw invalid(`which has a path. A login server is a host name only (the repository belongs in the image name): use "${text.slice(0, slash).toLowerCase()}".`);
    }
    text = text.toLowerCase();
    let host = text;
    const portMatch = /^(.*):(\d{1,5})$/.exec(text);
    if (portMatch !== null) {
        host = portMatch[1] ?? '';
        const port = Number(portMatch[2]);
        if (port === 443) {
            text = host;
        }
        else if (cloud.name !== 'custom') {
            throw invalid(`which has the port ${port}. Azure Container Registry login servers listen on 443 only: use "${host}".`);
        }
        else if (port < 1 || port > 65535) {
            throw invalid(`whose port ${port} is outside 1-65535.`);
        }
    }
    if (!host.includes('.')) {
        if (!ACR_NAME.test(host)) {
            throw invalid(`which is neither a login server (a DNS name such as contoso.${cloud.registrySuffix}) nor a registry name (5-50 letters and digits, such as contoso).`);
        }
        const loginServer = `${host}.${cloud.registrySuffix}`;
        return text === host ? loginServer : `${loginServer}${text.slice(host.length)}`;
    }
    if (!(0,ids/* isDnsName */.rM)(host)) {
        throw invalid('which is not a valid host name: labels are 1-63 letters, digits or hyphens, not starting or ending with a hyphen.');
    }
    if ((0,ids/* isUnderSuffix */.MX)(host, cloud.registrySuffix)) {
        const labels = host.slice(0, -cloud.registrySuffix.length - 1).split('.');
        if (labels.length === 3 && labels[2] === 'data') {
            throw invalid(`which is a data endpoint (it serves image layers), not a login server. Use "${labels[0]}.${cloud.registrySuffix}".`);
        }
    }
    return text;
}
const OVERRIDE_KEYS = ['tenant-id', 'client-id', 'token-audience'];
/** One `registry` entry: a name or host, then optional whitespace-separated `key=value` overrides. */
function parseRegistryEntry(entry, cloud) {
    const [first = '', ...rest] = entry.trim().split(/\s+/);
    const loginServer = normaliseLoginServer(first, cloud);
    const overrides = {};
    const seen = new Set();
    for (const item of rest) {
        const eq = item.indexOf('=');
        const key = (eq < 0 ? item : item.slice(0, eq)).toLowerCase();
        const value = eq < 0 ? '' : item.slice(eq + 1);
        const invalid = (rule) => new src_errors/* AcrLoginError */.WE('REGISTRY_INVALID', `${(0,wording/* input */.hF)('registry')} entry for "${loginServer}": ${rule}`, {
            input: 'registry',
        });
        if (!OVERRIDE_KEYS.includes(key) || eq < 0) {
            throw invalid(`"${item}" is not a setting. After the registry, only ${OVERRIDE_KEYS.map((k) => `${k}=<value>`).join(', ')} may follow, separated by spaces; separate registries with commas or new lines.`);
        }
        if (seen.has(key))
            throw invalid(`"${key}" is given twice; give it once.`);
        seen.add(key);
        if (key === 'tenant-id') {
            if (!(0,ids/* isTenantId */.c9)(value)) {
                throw invalid(`tenant-id "${value}" is not a tenant: give the Directory (tenant) ID GUID or a domain such as contoso.onmicrosoft.com.`);
            }
            overrides.tenantId = value;
        }
        else if (key === 'client-id') {
            if (!(0,ids/* isGuid */.W_)(value)) {
                throw invalid(`client-id "${value}" is not a GUID: give the Application (client) ID.`);
            }
            overrides.clientId = value;
        }
        else {
            const audience = value.toLowerCase();
            if (audience !== 'acr' && audience !== 'arm') {
                throw invalid(`token-audience "${value}" must be "acr" or "arm".`);
            }
            overrides.tokenAudience = audience;
        }
    }
    return { loginServer, overrides };
}
/**
 * Every entry of the `registry` input. Entries that normalise to the same login server are merged;
 * the same server with different overrides is a conflict, since one login cannot use two identities.
 */
function parseRegistries(text, cloud) {
    const entries = splitList(text).map((entry) => parseRegistryEntry(entry, cloud));
    if (entries.length === 0) {
        throw new src_errors/* AcrLoginError */.WE('INPUT_REQUIRED', `${(0,wording/* input */.hF)('registry')} is empty. Give one or more registries (for example contoso or contoso.${cloud.registrySuffix}), separated by commas or new lines.`, { input: 'registry' });
    }
    const merged = new Map();
    for (const entry of entries) {
        const previous = merged.get(entry.loginServer);
        if (previous === undefined) {
            merged.set(entry.loginServer, entry);
        }
        else if (!sameOverrides(previous.overrides, entry.overrides)) {
            throw new src_errors/* AcrLoginError */.WE('INPUT_CONFLICT', `${(0,wording/* input */.hF)('registry')} lists "${entry.loginServer}" twice with different settings. List it once, with the settings it needs.`, { input: 'registry' });
        }
    }
    return [...merged.values()];
}
function sameOverrides(a, b) {
    return (a.tenantId?.toLowerCase() === b.tenantId?.toLowerCase() &&
        a.clientId?.toLowerCase() === b.clientId?.toLowerCase() &&
        (a.tokenAudience ?? 'acr') === (b.tokenAudience ?? 'acr'));
}

;// CONCATENATED MODULE: ../core/src/plan/repositories.ts



// distribution spec: path components of lower-case alphanumerics joined by one of `.`, `_`, `__`, `-+`.
const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const REPOSITORY_NAME = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
/** Clients refuse a reference whose `registry/name` is longer than this (distribution spec). */
const MAX_REFERENCE = 255;
const ACCESS = {
    pull: ['pull'],
    push: ['pull', 'push'],
};
function invalid(entry, rule) {
    return new src_errors/* AcrLoginError */.WE('INPUT_INVALID', `${(0,wording/* input */.hF)('repositories')} entry "${entry}": ${rule}`, {
        input: 'repositories',
    });
}
/** Docker's rule: the first path component is a registry when it has a dot or a port, or is localhost. */
function looksLikeHost(component) {
    return component.includes('.') || component.includes(':') || component.toLowerCase() === 'localhost';
}
function parseEntry(entry, loginServers, previous) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(entry)) {
        throw invalid(entry, `give a repository, not a URL: "${entry.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')}" (no scheme).`);
    }
    if (entry.includes('@')) {
        throw invalid(entry, 'a digest does not belong here: give the repository only, followed by ":pull" (the default) or ":push".');
    }
    const slash = entry.indexOf('/');
    const first = slash < 0 ? '' : entry.slice(0, slash);
    const prefixed = slash >= 0 && looksLikeHost(first);
    const rest = prefixed ? entry.slice(slash + 1) : entry;
    // The access is after the last colon of the repository part (a prefix's port has its colon before a slash).
    const colon = rest.lastIndexOf(':');
    const name = colon < 0 ? rest : rest.slice(0, colon);
    const access = colon < 0 ? 'pull' : rest.slice(colon + 1).toLowerCase();
    const actions = ACCESS[access];
    if (actions === undefined) {
        throw invalid(entry, `":${rest.slice(colon + 1)}" is not an access. End an entry with ":pull" (the default) or ":push" (pull and push); tags do not belong here: "${prefixed ? `${first}/` : ''}${name}:push".`);
    }
    if (name === '')
        throw invalid(entry, 'the repository name is missing: give it before ":pull" or ":push".');
    if (!prefixed && colon < 0 && (name === 'push' || name === 'pull')) {
        const fix = previous === undefined ? '"app:push"' : `"${previous.replace(/:[^:/]*$/, '')}:push"`;
        throw invalid(entry, `"${name}" looks like the access of the entry before it, cut off at the comma: write ${fix} (push means pull and push). For a repository really named "${name}", write "${name}:pull".`);
    }
    if (!prefixed && loginServers.includes(name.toLowerCase())) {
        throw invalid(entry, `this is a registry; name a repository on it: "${name.toLowerCase()}/app:push".`);
    }
    if (!REPOSITORY_NAME.test(name)) {
        const lower = name.toLowerCase();
        const fix = lower !== name && REPOSITORY_NAME.test(lower) ? ` Use "${lower}".` : '';
        throw invalid(entry, `"${name}" is not a repository name. Names are lower-case letters and digits, separated by ".", "_", "__" or "-" inside a path component and by "/" between components, as in "team/app".${fix}`);
    }
    const loginServer = prefixed
        ? registryOf(entry, first.toLowerCase(), name, loginServers)
        : onlyRegistry(entry, name, loginServers);
    if (loginServer.length + 1 + name.length > MAX_REFERENCE) {
        throw invalid(entry, `"${loginServer}/${name}" is longer than ${MAX_REFERENCE} characters, which clients refuse. Use a shorter repository name.`);
    }
    return { loginServer, repository: name, actions };
}
function registryOf(entry, prefix, name, loginServers) {
    const host = prefix.replace(/:443$/, '');
    if (loginServers.includes(host))
        return host;
    throw invalid(entry, `"${prefix}" is not a registry this step logs in to (${list(loginServers)}). Add it to ${(0,wording/* input */.hF)('registry')}, or prefix the entry with one of those: "${loginServers[0] ?? prefix}/${name}".`);
}
function onlyRegistry(entry, name, loginServers) {
    const [only, ...others] = loginServers;
    if (only === undefined) {
        throw invalid(entry, `there is no registry to check it on: give ${(0,wording/* input */.hF)('registry')} as well.`);
    }
    if (others.length === 0)
        return only;
    // `contoso/app` with several registries: "contoso" is most likely the registry's name.
    const firstComponent = name.split('/')[0] ?? '';
    const named = loginServers.find((server) => server.split('.')[0] === firstComponent);
    const example = named !== undefined && name.includes('/')
        ? `"${named}/${name.slice(firstComponent.length + 1)}"`
        : `"${only}/${name}"`;
    throw invalid(entry, `this step logs in to more than one registry (${list(loginServers)}), so each entry starts with its registry's login server, for example ${example}.`);
}
function list(items) {
    return items.join(', ');
}
/**
 * Every entry of `repositories`, checked against the login servers the step logs in to. Entries naming the
 * same repository are merged, the widest access winning. Empty input: nothing to check.
 */
function parseRepositories(text, loginServers) {
    const merged = new Map();
    let before;
    for (const entry of splitList(text)) {
        const request = parseEntry(entry, loginServers, before);
        before = entry;
        const key = `${request.loginServer}/${request.repository}`;
        const seen = merged.get(key);
        if (seen === undefined || seen.actions.length < request.actions.length)
            merged.set(key, request);
    }
    return [...merged.values()];
}

;// CONCATENATED MODULE: ../core/src/plan/plan.ts












/**
 * Validates and normalises every input into a `LoginPlan`. Pure: no I/O, no clock; everything it needs
 * from the world comes in `facts`. Throws `AcrLoginError` naming the input at fault.
 */
function planLogin(inputs, facts) {
    const values = trimInputs(inputs);
    const secrets = collectSecrets(values);
    const creds = values.creds === undefined ? undefined : parseCreds(values.creds);
    if (creds !== undefined)
        secrets.add(creds.clientSecret);
    const cloud = resolveCloud({
        environment: environmentFor(values, creds),
        authorityHost: values.authorityHost,
        registrySuffix: values.registrySuffix,
    });
    const choice = chooseAuthType(values, facts);
    const { authType } = choice;
    checkBelongs(choice, values);
    const tokenAudience = parseTokenAudience(values.tokenAudience, 'tokenAudience');
    const entries = parseRegistries(inputs.registry, cloud);
    let registries;
    if (!isEntraAuthType(authType)) {
        const auth = authType === 'anonymous'
            ? { type: 'anonymous' }
            : {
                type: 'username-password',
                ...requireFields(authType, { username: values.username, password: values.password }),
            };
        registries = entries.map((entry) => {
            refuseOverrides(entry, authType);
            return { loginServer: entry.loginServer, auth };
        });
    }
    else {
        const base = buildIdentity(authType, values, facts, creds, cloud);
        const trusted = new Set(splitList(values.trustedRegistries ?? '').map((item) => normaliseLoginServer(item, cloud, 'trustedRegistries')));
        registries = entries.map((entry) => {
            checkTrusted(entry.loginServer, cloud, trusted);
            const own = entry.overrides.tokenAudience;
            const audience = checkAudience(own ?? tokenAudience, cloud, own === undefined ? 'tokenAudience' : 'registry');
            return {
                loginServer: entry.loginServer,
                auth: { type: 'entra', identity: registryIdentity(base, entry), audience },
            };
        });
    }
    return {
        cloud,
        authType,
        reason: choice.reason,
        ...(choice.note === undefined ? {} : { note: choice.note }),
        registries,
        clients: parseClients(values.clients),
        repositories: parseRepositories(values.repositories ?? '', registries.map((registry) => registry.loginServer)),
        secrets: [...secrets],
    };
}
function trimInputs(inputs) {
    const values = {};
    for (const key of types/* LOGIN_INPUT_KEYS */.Wz) {
        const value = inputs[key]?.trim();
        if (value !== undefined && value !== '')
            values[key] = value;
    }
    return values;
}
function collectSecrets(values) {
    const secrets = new Set();
    for (const key of SECRET_INPUTS) {
        const value = values[key];
        if (value !== undefined)
            secrets.add(value);
    }
    // A certificate path is not a secret; PEM text (with its private key) is.
    if (values.clientCertificate?.includes('-----BEGIN') === true)
        secrets.add(values.clientCertificate);
    return secrets;
}
function refuseOverrides(entry, authType) {
    if (Object.keys(entry.overrides).length === 0)
        return;
    throw new src_errors/* AcrLoginError */.WE('INPUT_CONFLICT', `${(0,wording/* input */.hF)('registry')} gives "${entry.loginServer}" tenant-id, client-id or token-audience settings, which ${(0,wording/* authTypeSetting */.BQ)(authType)} does not use. Remove them from that entry.`, { input: 'registry' });
}
function checkTrusted(loginServer, cloud, trusted) {
    if ((0,ids/* isUnderSuffix */.MX)(loginServer, cloud.registrySuffix) || trusted.has(loginServer))
        return;
    throw new src_errors/* AcrLoginError */.WE('REGISTRY_UNTRUSTED', `${(0,wording/* input */.hF)('registry')} has "${loginServer}", which is not under "${cloud.registrySuffix}", the registry suffix of ${cloud.name === 'custom' ? 'the custom cloud' : cloud.name}. Logging in sends it a Microsoft Entra token that works on every registry this identity can reach, so only Azure Container Registry hosts receive one. If "${loginServer}" is yours (for example a custom domain in front of a registry), add it to ${(0,wording/* input */.hF)('trustedRegistries')}; otherwise check the name and ${(0,wording/* input */.hF)('environment')}.`, { input: 'registry' });
}

;// CONCATENATED MODULE: ../core/src/step/host.ts
/** Core's English for every line the step logs; `%s` placeholders are filled in order. */
const host_STEP_MESSAGES = {
    LoggingIn: 'Logging in to %s (%s: %s)',
    LoggedIn: 'Logged in to %s as %s',
    LoggedInUntil: 'Logged in to %s as %s, valid until %s',
    ClientFile: 'Credentials for %s: %s',
    LogoutDisabled: '"logout" is false: leaving the credentials in place.',
    NothingToLogOut: 'Nothing to log out: the login step wrote no credentials.',
    LoggedOut: 'Logged out: %s removed, %s restored.',
    LeftEntry: 'Left %s in %s: %s',
    PasswordUnmasked: 'The registry password is not masked in logs: %s is false.',
    AccessGranted: 'Repository access on %s: %s',
    PullSecretFile: 'Kubernetes pull secret file (%s): %s',
    PullSecretRemoved: 'Removed the pull secret file %s',
    ExpiresNoRenew: 'The credentials expire at %s. A client that pushes or pulls after that gets 401 Unauthorized: set %s to true to keep them valid for a job that runs longer.',
    Renewing: 'Renewal is on: clients ask the credential helper docker-credential-%s, which renews the credentials before they expire (first at %s).',
    NothingToRenew: 'Nothing to renew although %s is true: %s.',
    RenewalStopped: 'Renewal stopped: %s credential helper entries removed, %s restored, its state deleted.',
    Outlived: 'This job ran past %s, when the credentials written by this step expired: a client that used them after that got 401 Unauthorized. Set %s to true to keep them valid for the whole job.',
};
/** Fills `%s` placeholders in order, as `tl.loc` does. */
function host_format(template, params) {
    let index = 0;
    return template.replace(/%s/g, () => params[index++] ?? '');
}

;// CONCATENATED MODULE: ../core/src/step/report.ts



/**
 * What both adapters show and publish, so that a workflow and a pipeline see the same values and the same
 * failure text; each adapter only renames outputs and adds its own hints.
 */
/**
 * The pieces of a secret to register with the CI system. Runners and agents mask line by line (task-lib
 * refuses a value with line breaks), so a multi-line secret such as a PEM key is registered one line at a
 * time. PEM armour lines and very short lines are not secret and would redact unrelated log text.
 */
function secretPieces(secret) {
    if (!/[\r\n]/.test(secret))
        return secret.trim() === '' ? [] : [secret];
    const lines = secret
        .split(/\r?\n|\r/)
        .map((line) => line.trim())
        .filter((line) => line.length >= 8 && !line.startsWith('-----'));
    return [...new Set(lines)];
}
function loginOutputs(result) {
    const [first] = result.credentials;
    const expiries = result.credentials.flatMap((c) => c.expiresOn === undefined ? [] : [c.expiresOn.getTime()]);
    return {
        loginServer: first?.loginServer ?? '',
        loginServers: JSON.stringify(result.credentials.map((c) => c.loginServer)),
        username: first?.username ?? '',
        password: first?.password ?? '',
        expiresOn: expiries.length === 0 ? '' : new Date(Math.min(...expiries)).toISOString(),
        dockerConfig: result.dockerConfig ?? '',
        access: JSON.stringify(accessOutput(result.access)),
    };
}
/**
 * A failure as users see it, in the host's words: the message, its non-secret facts, and the code the
 * README is ordered by.
 */
function failureLines(error, words = wording/* plainWords */.c5) {
    if (!(error instanceof src_errors/* AcrLoginError */.WE))
        return [(0,src_errors/* errorMessage */.gJ)(error)];
    const facts = Object.entries({ ...error.details, 'error code': error.code });
    return [(0,wording/* render */.XX)(error.text, words), ...facts.map(([key, value]) => `  ${key}: ${value}`)];
}

;// CONCATENATED MODULE: ../core/src/clients/pull-secret.ts






/**
 * A Kubernetes image pull secret's `.dockerconfigjson`, holding only the registries this step logged in to,
 * so `kubectl create secret generic ... --from-file=.dockerconfigjson=<file>` carries no other registry's
 * credentials (a hand-built one from ~/.docker/config.json drags them all in). The post step removes it.
 */
function fileFailed(file, error, doing) {
    const code = (0,config_file/* errnoOf */.UQ)(error);
    return new src_errors/* AcrLoginError */.WE('CONFIG_WRITE_FAILED', `Cannot ${doing} "${file}": ${code}. The job's temp directory (RUNNER_TEMP on GitHub, Agent.TempDirectory on Azure Pipelines) must be writable by the user running the step.`, { cause: error, details: { file, errno: code } });
}
/** The file's text: `auths` entries with `username`, `password` and `auth` (kubelet and CRI read any of them). */
function dockerConfigJson(logins) {
    const auths = {};
    for (const { loginServer, username, password } of logins) {
        auths[loginServer] = { username, password, auth: (0,util/* basicCredentials */.BG)(username, password) };
    }
    return `${JSON.stringify({ auths }, null, 2)}\n`;
}
/**
 * Writes the file with mode 0600 under `dir` (the job's temp directory) and returns its path; undefined when
 * there is nothing to hold (anonymous logins only). The name is random and the file is created exclusively,
 * so a file or link planted at that path is never followed or overwritten.
 */
async function writePullSecret(dir, logins) {
    const withCredentials = logins.filter((login) => login.password !== '');
    if (withCredentials.length === 0)
        return undefined;
    const file = (0,external_node_path_.join)(dir, `acr-login-pull-secret-${(0,external_node_crypto_.randomBytes)(8).toString('hex')}.json`);
    let handle;
    try {
        handle = await (0,promises_.open)(file, 'wx', 0o600);
        // The mode given to open is reduced by the umask only, never widened; chmod makes 0600 exact anyway.
        await handle.chmod(0o600);
        await handle.writeFile(dockerConfigJson(withCredentials), 'utf8');
    }
    catch (error) {
        await handle?.close().catch(() => { });
        handle = undefined;
        await (0,promises_.rm)(file, { force: true }).catch(() => { });
        throw fileFailed(file, error, 'write the pull secret file');
    }
    finally {
        await handle?.close();
    }
    return file;
}
/** Removes the file; `false` when it was already gone. Failures other than absence are reported as errors. */
async function removePullSecret(file) {
    try {
        await (0,promises_.rm)(file);
        return true;
    }
    catch (error) {
        if ((0,config_file/* errnoOf */.UQ)(error) === 'ENOENT')
            return false;
        throw fileFailed(file, error, 'remove the pull secret file');
    }
}

// EXTERNAL MODULE: ../core/src/renew/helper.ts + 1 modules
var helper = __webpack_require__(1219);
;// CONCATENATED MODULE: ../core/src/renew/entries.ts




/**
 * Routes `servers` to the helper in every file (Docker's config.json, the containers auth file, helm's
 * registry config: all read `credHelpers`), under each file's lock, atomically, 0600. An `auths` entry for
 * the same server stays: clients that know `credHelpers` ignore it, others keep using it.
 */
async function writeHelperEntries(files, servers, helper, lockTimeoutMs = lock/* DEFAULT_LOCK_TIMEOUT_MS */.L$) {
    const entries = [];
    if (servers.length === 0)
        return entries;
    const targets = [...new Set(await Promise.all(files.map((file) => (0,config_file/* resolveTarget */.u1)(file))))];
    try {
        for (const target of targets) {
            await (0,config_file/* ensureDirectory */.EA)(target);
            await (0,lock/* withLock */.kK)(`${target}.lock`, { timeoutMs: lockTimeoutMs, file: target }, async () => {
                const existing = await (0,config_file/* readConfig */.Xg)(target);
                const config = existing ?? {};
                const createdCredHelpers = !(0,config_file/* isObject */.Gv)(config.credHelpers);
                if (createdCredHelpers)
                    config.credHelpers = {};
                const helpers = config.credHelpers;
                const pending = [];
                servers.forEach((server, index) => {
                    pending.push({
                        file: target,
                        server,
                        helper,
                        previous: Object.hasOwn(helpers, server) ? structuredClone(helpers[server]) : null,
                        createdFile: existing === undefined,
                        createdCredHelpers: createdCredHelpers && index === 0,
                    });
                    helpers[server] = helper;
                });
                await (0,config_file/* writeConfigAtomic */.fk)(target, config);
                entries.push(...pending);
            });
        }
    }
    catch (error) {
        await removeHelperEntries(entries, lockTimeoutMs);
        throw error;
    }
    return entries;
}
function isEmpty(config) {
    return Object.keys(config).every((key) => (key === 'auths' || key === 'credHelpers') &&
        (0,config_file/* isObject */.Gv)(config[key]) &&
        Object.keys(config[key]).length === 0);
}
/**
 * Undoes `writeHelperEntries`: an entry still naming our helper gets the user's value back (or goes), and a
 * `credHelpers` object or file we created goes when nothing else is left in it. Reports, never throws.
 * Run it before `docker logout` of a credsStore-owned server: while our entry is there, docker would send
 * the logout to our helper instead of the user's store.
 */
async function removeHelperEntries(entries, lockTimeoutMs = lock/* DEFAULT_LOCK_TIMEOUT_MS */.L$) {
    const result = { removed: 0, restored: 0, skipped: [] };
    const byFile = new Map();
    for (const entry of entries)
        byFile.set(entry.file, [...(byFile.get(entry.file) ?? []), entry]);
    for (const [file, list] of byFile) {
        try {
            await (0,lock/* withLock */.kK)(`${file}.lock`, { timeoutMs: lockTimeoutMs, file }, async () => {
                const config = await (0,config_file/* readConfig */.Xg)(file);
                if (config === undefined)
                    return;
                const helpers = (0,config_file/* isObject */.Gv)(config.credHelpers) ? config.credHelpers : undefined;
                let changed = false;
                for (const entry of [...list].reverse()) {
                    const current = helpers === undefined ? undefined : helpers[entry.server];
                    if (helpers === undefined || !(0,external_node_util_.isDeepStrictEqual)(current, entry.helper)) {
                        result.skipped.push({
                            file,
                            key: `credHelpers.${entry.server}`,
                            reason: 'the entry changed since the login (another login or a user wrote it); left as it is',
                        });
                        continue;
                    }
                    if (entry.previous === null || entry.previous === undefined) {
                        delete helpers[entry.server];
                        result.removed++;
                    }
                    else {
                        helpers[entry.server] = structuredClone(entry.previous);
                        result.restored++;
                    }
                    changed = true;
                }
                if (!changed)
                    return;
                if (list.some((entry) => entry.createdCredHelpers) && helpers && Object.keys(helpers).length === 0) {
                    delete config.credHelpers;
                }
                if (list.some((entry) => entry.createdFile) && isEmpty(config))
                    await (0,config_file/* removeFile */.nM)(file);
                else
                    await (0,config_file/* writeConfigAtomic */.fk)(file, config);
            });
        }
        catch (error) {
            for (const entry of list) {
                result.skipped.push({ file, key: `credHelpers.${entry.server}`, reason: (0,src_errors/* errorMessage */.gJ)(error) });
            }
        }
    }
    return result;
}

// EXTERNAL MODULE: ../core/src/renew/shim.ts
var shim = __webpack_require__(5475);
;// CONCATENATED MODULE: ../core/src/renew/setup.ts





/** Why `plan` cannot be renewed, or undefined when it can: only Entra logins have something to renew. */
function notRenewable(plan) {
    if (plan.registries.some((registry) => registry.auth.type === 'entra'))
        return undefined;
    return plan.authType === 'anonymous'
        ? 'anonymous pulls need no credentials'
        : 'a registry password does not expire on a schedule acr-login controls';
}
/**
 * Sets renewal up after a successful login: the state and shim in the job's temp directory, then a
 * `credHelpers` entry per Entra registry in every configured client's file. On failure, nothing is left.
 */
async function startRenewal(options) {
    const { plan, result } = options;
    const registries = plan.registries.flatMap((registry) => registry.auth.type === 'entra'
        ? [
            {
                loginServer: registry.loginServer,
                origin: `https://${registry.loginServer}`,
                service: registry.loginServer,
                scope: entraScope(registry.auth.audience, plan.cloud),
                audience: registry.auth.audience,
                identity: registry.auth.identity,
            },
        ]
        : []);
    const now = options.clock.now();
    const servers = {};
    for (const credential of result.credentials) {
        if (!registries.some((registry) => registry.loginServer === credential.loginServer))
            continue;
        if (credential.expiresOn === undefined)
            continue;
        servers[credential.loginServer] = {
            username: credential.username,
            password: credential.password,
            expiresOn: credential.expiresOn.getTime(),
            obtainedAt: now,
        };
    }
    const renewal = {
        cloud: plan.cloud,
        registries,
        ...(options.githubOidc === undefined ? {} : { githubOidc: options.githubOidc }),
        ...(options.adoOidcRequestUri === undefined ? {} : { adoOidcRequestUri: options.adoOidcRequestUri }),
        ...(options.proxyUrl === undefined ? {} : { proxyUrl: options.proxyUrl }),
    };
    const state = { version: 1, helper: (0,shim/* newHelperName */.e3)(), servers, plan: renewal };
    const files = await (0,shim/* writeRenewalFiles */.jC)({
        tempDir: options.tempDir,
        node: options.node,
        bundle: options.bundle,
        platform: options.platform,
        state,
    });
    const targets = [...new Set(plan.clients.map((client) => clientFile(CLIENT_FAMILY[client], options.env)))];
    let entries;
    try {
        entries = await writeHelperEntries(targets, Object.keys(servers), state.helper);
    }
    catch (error) {
        await (0,shim/* removeRenewalFiles */.w)(files.dir);
        throw error;
    }
    const expiries = Object.values(servers).map((token) => token.expiresOn);
    return {
        helper: state.helper,
        dir: files.dir,
        binDir: files.binDir,
        entries,
        expiresOn: new Date(Math.min(...expiries)).toISOString(),
    };
}
/**
 * Undoes `startRenewal`: the `credHelpers` entries first (while ours is there, `docker logout` of a
 * credsStore-owned registry would reach our helper, not the user's store), then the folder with the state.
 */
async function stopRenewal(record) {
    const result = await removeHelperEntries(record.entries);
    const skipped = [...result.skipped];
    try {
        await (0,shim/* removeRenewalFiles */.w)(record.dir);
    }
    catch (error) {
        skipped.push({ file: record.dir, key: 'renewal state', reason: (0,src_errors/* errorMessage */.gJ)(error) });
    }
    return { removed: result.removed, restored: result.restored, skipped };
}

;// CONCATENATED MODULE: ../core/src/step/run.ts














/**
 * The whole step, for either CI: main and post are one program, told apart by the state the main step
 * saves first (as docker/login-action does), so an adapter ships one bundle.
 */
async function runStep(host) {
    if (host.loadState('isPost') === 'true')
        return runLogout(host);
    host.saveState('isPost', 'true');
    return runLogin(host);
}
/** Masks a secret the moment it exists: line by line, as runners and agents redact. */
function maskSecret(host, secret) {
    for (const piece of secretPieces(secret ?? ''))
        host.mask(piece);
}
function parseBoolean(host, key, fallback) {
    const value = host.input(key).trim();
    const normalised = value.toLowerCase();
    if (normalised === '')
        return fallback;
    if (['true', 'yes', '1', 'on'].includes(normalised))
        return true;
    if (['false', 'no', '0', 'off'].includes(normalised))
        return false;
    throw new src_errors/* AcrLoginError */.WE('INPUT_INVALID', `${(0,wording/* input */.hF)(key)} must be true or false, not "${value}".`, {
        input: key,
    });
}
/** The host's logger, with the registry password left unmasked when the user asked for it. */
function hostLogger(host, maskPassword) {
    let warned = false;
    return {
        debug: (message) => host.debug(message),
        info: (message) => host.info(message),
        warning: (message) => host.warning(message),
        mask(secret, kind) {
            if (kind === 'registry-password' && !maskPassword) {
                if (!warned)
                    host.warning(host.text('PasswordUnmasked', host.words.input('maskPassword')));
                warned = true;
                return;
            }
            maskSecret(host, secret);
        },
    };
}
function failed(host, error, plan) {
    const note = plan?.note === undefined ? [] : [(0,wording/* render */.XX)(plan.note, host.words)];
    const lines = [...failureLines(error, host.words), ...note, ...(host.hints?.(error) ?? [])];
    host.fail(lines.join('\n'));
}
async function runLogin(host) {
    let plan;
    try {
        // Secret inputs are masked before anything else can print them.
        for (const key of [...SECRET_INPUTS, 'clientCertificate'])
            maskSecret(host, host.input(key));
        const inputs = Object.fromEntries(types/* LOGIN_INPUT_KEYS */.Wz.flatMap((key) => {
            const value = host.input(key);
            return value.trim() === '' ? [] : [[key, value]];
        }));
        const logoutAfter = parseBoolean(host, 'logout', true);
        const renew = parseBoolean(host, 'renew', false);
        const logger = hostLogger(host, parseBoolean(host, 'maskPassword', true));
        const facts = {
            oidcAvailable: host.oidc?.available() ?? false,
            oidcUnavailableHint: host.oidc?.unavailableHint() ?? '',
            env: host.env,
        };
        plan = planLogin({ ...inputs, registry: inputs.registry ?? '' }, facts);
        for (const secret of plan.secrets)
            maskSecret(host, secret);
        for (const line of host.intro?.() ?? [])
            host.info(line);
        host.info(host.text('LoggingIn', plan.registries.map((r) => r.loginServer).join(', '), plan.authType, (0,wording/* render */.XX)(plan.reason, host.words)));
        const dispatcher = host.dispatcher?.();
        const { oidc } = host;
        const environment = {
            logger,
            env: host.env,
            debug: host.debugging?.() ?? false,
            ...(dispatcher === undefined ? {} : { dispatcher }),
            ...(oidc === undefined ? {} : { oidcToken: (audience) => oidc.token(audience) }),
        };
        let result;
        try {
            result = await login(plan, environment);
        }
        finally {
            await dispatcher?.close();
        }
        // Save state before anything else can fail, so the post step can undo what was written.
        host.saveState('loginState', JSON.stringify(result.state));
        host.saveState('logout', String(logoutAfter));
        // Only this step's registries, for `kubectl create secret`; the post step removes it.
        const pullSecret = await writePullSecret(host.tempDir?.() || (0,external_node_os_.tmpdir)(), result.credentials);
        if (pullSecret !== undefined)
            host.saveState('pullSecretFile', pullSecret);
        const outputs = loginOutputs(result);
        host.saveState('expiresOn', outputs.expiresOn);
        const renewal = renew ? await setUpRenewal(host, plan, result) : undefined;
        for (const [name, value] of Object.entries(outputs)) {
            host.setOutput(name, value, name === 'password');
        }
        host.setOutput('pullSecretFile', pullSecret ?? '', false);
        host.setOutput('renews', String(renewal !== undefined), false);
        for (const credential of result.credentials) {
            host.info(credential.expiresOn === undefined
                ? host.text('LoggedIn', credential.loginServer, credential.identity)
                : host.text('LoggedInUntil', credential.loginServer, credential.identity, credential.expiresOn.toISOString()));
        }
        for (const [file, clients] of clientsByFile(result))
            host.info(host.text('ClientFile', clients.join(', '), file));
        for (const [loginServer, text] of accessLines(result.access)) {
            host.info(host.text('AccessGranted', loginServer, text));
        }
        if (pullSecret !== undefined) {
            const servers = result.credentials.filter((c) => c.password !== '').map((c) => c.loginServer);
            host.info(host.text('PullSecretFile', servers.join(', '), pullSecret));
        }
        const notes = [];
        if (renewal !== undefined) {
            notes.push(host.text('Renewing', renewal.helper, renewal.renewsAt));
        }
        else if (outputs.expiresOn !== '' && notRenewable(plan) === undefined) {
            notes.push(host.text('ExpiresNoRenew', outputs.expiresOn, host.words.input('renew')));
        }
        for (const note of notes)
            host.info(note);
        await host.summary?.(summaryView(result, plan, notes));
    }
    catch (error) {
        failed(host, error, plan);
    }
}
/** Each file written, with the clients that read it (docker and oras share the Docker config). */
function clientsByFile(result) {
    const byFile = new Map();
    for (const [client, file] of Object.entries(result.files))
        byFile.set(file, [...(byFile.get(file) ?? []), client]);
    return byFile;
}
/** Per registry: `app pull, push; web pull`. */
function accessLines(access) {
    const byRegistry = new Map();
    for (const a of access) {
        const granted = a.granted.length === 0 ? 'nothing' : a.granted.join(', ');
        byRegistry.set(a.loginServer, [...(byRegistry.get(a.loginServer) ?? []), `${a.repository} ${granted}`]);
    }
    return [...byRegistry].map(([server, parts]) => [server, parts.join('; ')]);
}
/**
 * `renew: true`: the credential helper, its state and its `credHelpers` entries, with the helper's folder on
 * PATH for the later steps. Nothing for a login with nothing to renew: one line says why.
 */
async function setUpRenewal(host, plan, result) {
    const reason = notRenewable(plan);
    if (reason !== undefined) {
        host.info(host.text('NothingToRenew', host.words.input('renew'), reason));
        return undefined;
    }
    const tempDir = host.tempDir?.();
    if (tempDir === undefined || tempDir === '' || host.addPath === undefined) {
        throw new src_errors/* AcrLoginError */.WE('INPUT_INVALID', `${(0,wording/* input */.hF)('renew')} needs the job's temp directory (RUNNER_TEMP, Agent.TempDirectory) to keep its credential helper in, and this runner gives none. Set ${(0,wording/* input */.hF)('renew')} to false.`, { input: 'renew' });
    }
    const githubOidc = plan.authType === 'oidc' ? host.oidc?.renewal?.() : undefined;
    const adoOidcRequestUri = plan.authType === 'azure-pipelines' ? host.env.SYSTEM_OIDCREQUESTURI : undefined;
    const proxyUrl = host.proxyUrl?.();
    // The request token may not be masked yet when the host's OIDC library read it itself.
    if (githubOidc !== undefined)
        maskSecret(host, githubOidc.requestToken);
    const record = await startRenewal({
        plan,
        result,
        tempDir,
        node: process.execPath,
        // The bundle running this step answers `credential-helper` too.
        bundle: (0,external_node_path_.resolve)(process.argv[1] ?? ''),
        platform: process.platform,
        env: host.env,
        clock: { now: () => Date.now() },
        ...(githubOidc === undefined ? {} : { githubOidc }),
        ...(adoOidcRequestUri === undefined || adoOidcRequestUri === '' ? {} : { adoOidcRequestUri }),
        ...(proxyUrl === undefined ? {} : { proxyUrl }),
    });
    host.saveState('renewal', JSON.stringify(record));
    host.addPath(record.binDir);
    return { ...record, renewsAt: renewalTime(record.expiresOn) };
}
/** When the first renewal happens: the margin before expiry the helper uses. */
function renewalTime(expiresOn) {
    return new Date(Date.parse(expiresOn) - helper/* RENEW_MARGIN_MS */.A4).toISOString();
}
function summaryView(result, plan, notes) {
    return {
        authType: plan.authType,
        clients: plan.clients,
        notes,
        rows: result.credentials.map((credential) => [
            credential.loginServer,
            credential.identity,
            credential.audience ?? '-',
            credential.expiresOn?.toISOString() ?? '-',
        ]),
        access: accessTable(result.access)
            .slice(1)
            .map(([registry = '', repository = '', asked = '', granted = '']) => [registry, repository, asked, granted]),
    };
}
/** The pull secret goes whatever `logout` says: it exists for this job's deployments only. */
async function removeOwnPullSecret(host) {
    const file = host.loadState('pullSecretFile');
    if (file === '')
        return;
    try {
        if (await removePullSecret(file))
            host.info(host.text('PullSecretRemoved', file));
    }
    catch (error) {
        host.warning((0,src_errors/* errorMessage */.gJ)(error));
    }
}
/**
 * The renewal goes whatever `logout` says: its helper cannot outlive the job (its state is in the job's temp
 * directory), and an entry naming a missing helper would break the registry for the next job. Without
 * renewal, a job that outlived its credentials gets a warning naming `renew`: that is where a user looks
 * after a 401 at the push.
 */
async function endRenewal(host) {
    const saved = host.loadState('renewal');
    if (saved !== '') {
        const stopped = await stopRenewal(parseRenewalRecord(saved));
        host.info(host.text('RenewalStopped', String(stopped.removed), String(stopped.restored)));
        for (const skipped of stopped.skipped) {
            host.warning(host.text('LeftEntry', skipped.key, skipped.file, skipped.reason));
        }
        return;
    }
    const expiresOn = Date.parse(host.loadState('expiresOn'));
    if (Number.isFinite(expiresOn) && Date.now() > expiresOn) {
        host.warning(host.text('Outlived', new Date(expiresOn).toISOString(), host.words.input('renew')));
    }
}
function parseRenewalRecord(text) {
    try {
        const record = JSON.parse(text);
        if (typeof record.dir === 'string' && Array.isArray(record.entries))
            return record;
    }
    catch {
        // fall through
    }
    throw new src_errors/* AcrLoginError */.WE('STATE_INVALID', 'The renewal state saved by the login step is unreadable, so its credential helper entries were not removed.');
}
async function runLogout(host) {
    try {
        await endRenewal(host);
        await removeOwnPullSecret(host);
        // A login step that failed or never ran saved no state: there is nothing to undo.
        const saved = host.loadState('loginState');
        const state = saved === '' ? undefined : parseState(saved);
        if (state === undefined || state.entries.length === 0) {
            host.info(host.text('NothingToLogOut'));
            return;
        }
        if (host.loadState('logout') !== 'true') {
            host.info(host.text('LogoutDisabled'));
            return;
        }
        const outcome = await logout(state, { logger: hostLogger(host, true), env: host.env });
        host.info(host.text('LoggedOut', entries(outcome.removed), entries(outcome.restored)));
        for (const skipped of outcome.skipped) {
            host.warning(host.text('LeftEntry', skipped.key, skipped.file, skipped.reason));
        }
    }
    catch (error) {
        failed(host, error);
    }
}
/** "1 credential entry", "2 credential entries". */
function entries(count) {
    return `${count} credential ${count === 1 ? 'entry' : 'entries'}`;
}
/** Core's English for a step message. */
function englishText(id, ...params) {
    return format(STEP_MESSAGES[id], params);
}

// EXTERNAL MODULE: external "node:v8"
var external_node_v8_ = __webpack_require__(8877);
;// CONCATENATED MODULE: ../core/src/step/startup.ts

/**
 * For a process that makes a handful of requests and exits (a CI step), not for a library host: undici
 * parses HTTP with llhttp compiled to WebAssembly, and V8's optimising tier recompiles that module on
 * background threads, which the process then waits for at exit. On a 2-core runner that cost about
 * 150 ms per step, far more than baseline code loses on a few small responses. Call it before the first
 * request.
 */
function preferBaselineWasm() {
    (0,external_node_v8_.setFlagsFromString)('--liftoff-only');
}

// EXTERNAL MODULE: ../core/src/undici.ts
var undici = __webpack_require__(1004);
;// CONCATENATED MODULE: ../core/src/index.ts



















// EXTERNAL MODULE: external "node:url"
var external_node_url_ = __webpack_require__(3136);
// EXTERNAL MODULE: ../../node_modules/azure-pipelines-task-lib/internal.js
var internal = __webpack_require__(5942);
// EXTERNAL MODULE: ../../node_modules/azure-pipelines-task-lib/task.js
var task = __webpack_require__(5858);
;// CONCATENATED MODULE: ./src/context.ts

const context_AUTH_TYPES = ['serviceConnection', 'managedIdentity', 'usernamePassword', 'anonymous'];
const SCHEMES = {
    WorkloadIdentityFederation: 'azure-pipelines',
    ServicePrincipal: 'service-principal',
    ManagedServiceIdentity: 'managed-identity',
};
/** The service connection parameters that hold secrets: masked before anything reads them. */
const SECRET_PARAMETERS = ['serviceprincipalkey', 'servicePrincipalCertificate'];
/** The task inputs that hold secrets. */
const context_SECRET_INPUTS = ['password'];
function parseTaskAuthType(value, loc) {
    const text = value.trim();
    if (text === '')
        return 'serviceConnection';
    const found = context_AUTH_TYPES.find((type) => type.toLowerCase() === text.toLowerCase());
    if (found === undefined) {
        throw new src_errors/* AcrLoginError */.WE('INPUT_INVALID', loc('UnknownAuthType', text, context_AUTH_TYPES.join(', ')), {
            input: 'authType',
        });
    }
    return found;
}
function lookup(record, key) {
    const wanted = key.toLowerCase();
    for (const [name, value] of Object.entries(record)) {
        if (name.toLowerCase() === wanted && value !== undefined && value.trim() !== '')
            return value.trim();
    }
    return undefined;
}
/** Values of these inputs are passed to core only when set, so its "not used by this auth type" checks hold. */
function optional(key, value) {
    return value.trim() === '' ? {} : { [key]: value };
}
/**
 * Maps the task inputs and the service connection into core's `LoginInputs`. Pure apart from the
 * reads through `source`; throws `AcrLoginError` with a message from task.json for what only the
 * task can know (which connection, which scheme).
 */
function readTaskInputs(source, loc) {
    const authType = parseTaskAuthType(source.input('authType'), loc);
    const registry = source.input('registry');
    const common = {
        registry,
        ...optional('clients', source.input('clients')),
        ...optional('trustedRegistries', source.input('trustedRegistries')),
        ...optional('repositories', source.input('repositories')),
    };
    // `tokenAudience` has a default in task.json, so it is only meaningful (and only passed) for Entra logins.
    const tokenAudience = optional('tokenAudience', source.input('tokenAudience'));
    switch (authType) {
        case 'anonymous':
            return { authType, login: { ...common, authType: 'anonymous' } };
        case 'usernamePassword':
            return {
                authType,
                login: {
                    ...common,
                    authType: 'username-password',
                    ...optional('username', source.input('username')),
                    ...optional('password', source.input('password')),
                },
            };
        case 'managedIdentity':
            return {
                authType,
                login: {
                    ...common,
                    ...tokenAudience,
                    authType: 'managed-identity',
                    ...optional('clientId', source.input('managedIdentityClientId')),
                },
            };
        case 'serviceConnection': {
            const id = source.input('azureSubscription').trim();
            if (id === '') {
                throw new src_errors/* AcrLoginError */.WE('INPUT_REQUIRED', loc('ConnectionRequired'), {
                    input: 'serviceConnectionId',
                });
            }
            const { login, connection } = connectionInputs(source.connection(id), source, registry, loc);
            return { authType, connection, login: { ...common, ...tokenAudience, ...login } };
        }
    }
}
function connectionInputs(connection, source, registry, loc) {
    const { id } = connection;
    const schemeText = connection.scheme.trim();
    if (schemeText === '') {
        throw new src_errors/* AcrLoginError */.WE('INPUT_INVALID', loc('ConnectionUnavailable', id), {
            input: 'serviceConnectionId',
        });
    }
    const scheme = Object.keys(SCHEMES).find((s) => s.toLowerCase() === schemeText.toLowerCase());
    if (scheme === undefined) {
        throw new src_errors/* AcrLoginError */.WE('INPUT_INVALID', loc('UnsupportedScheme', id, schemeText), {
            input: 'serviceConnectionId',
        });
    }
    const parameter = (key) => lookup(connection.parameters, key);
    const required = (key) => {
        const value = parameter(key);
        if (value === undefined) {
            throw new src_errors/* AcrLoginError */.WE('INPUT_INVALID', loc('MissingParameter', id, scheme, key), {
                input: 'serviceConnectionId',
            });
        }
        return value;
    };
    const cloud = cloudInputs(connection, registry, loc);
    switch (scheme) {
        case 'WorkloadIdentityFederation': {
            const clientId = required('serviceprincipalid');
            const tenantId = required('tenantid');
            const systemAccessToken = source.systemAccessToken()?.trim() ?? '';
            if (systemAccessToken === '') {
                throw new src_errors/* AcrLoginError */.WE('OIDC_UNAVAILABLE', loc('MissingSystemAccessToken', id), {
                    input: 'serviceConnectionId',
                });
            }
            return {
                connection: { id, scheme, clientId, tenantId },
                login: {
                    ...cloud,
                    authType: SCHEMES[scheme],
                    clientId,
                    tenantId,
                    serviceConnectionId: id,
                    systemAccessToken,
                },
            };
        }
        case 'ServicePrincipal': {
            const clientId = required('serviceprincipalid');
            const tenantId = required('tenantid');
            const method = parameter('authenticationType') ?? 'spnKey';
            let credential;
            if (method.toLowerCase() === 'spnkey') {
                credential = { clientSecret: required('serviceprincipalkey') };
            }
            else if (method.toLowerCase() === 'spncertificate') {
                // PEM text with the private key: core hands it to MSAL in memory, it is never written to disk.
                credential = { clientCertificate: required('servicePrincipalCertificate') };
            }
            else {
                throw new src_errors/* AcrLoginError */.WE('INPUT_INVALID', loc('UnsupportedSpnAuthentication', id, method), {
                    input: 'serviceConnectionId',
                });
            }
            return {
                connection: { id, scheme, clientId, tenantId },
                login: { ...cloud, authType: SCHEMES[scheme], clientId, tenantId, ...credential },
            };
        }
        case 'ManagedServiceIdentity': {
            const tenantId = parameter('tenantid');
            const clientId = lookup(connection.data, 'msiclientId');
            return {
                connection: {
                    id,
                    scheme,
                    ...(clientId === undefined ? {} : { clientId }),
                    ...(tenantId === undefined ? {} : { tenantId }),
                },
                login: {
                    ...cloud,
                    authType: SCHEMES[scheme],
                    ...(clientId === undefined ? {} : { clientId }),
                    ...(tenantId === undefined ? {} : { tenantId }),
                },
            };
        }
    }
}
/**
 * The cloud of the connection's `environment` data. Azure Stack Hub has no fixed registry domain (it
 * differs per installation) and the connection does not carry one, so its registries must be given as
 * fully qualified login servers and the suffix is taken from the first; core then refuses any registry
 * outside that suffix, so a token never reaches a host the user did not name under it.
 */
function cloudInputs(connection, registry, loc) {
    const environment = lookup(connection.data, 'environment');
    if (environment === undefined)
        return {};
    if (environment.toLowerCase() !== 'azurestack')
        return { environment };
    const authority = lookup(connection.data, 'activeDirectoryAuthority');
    let authorityHost;
    try {
        const url = new URL(authority ?? '');
        if (url.protocol !== 'https:')
            throw new TypeError('not https');
        authorityHost = url.origin;
    }
    catch {
        throw new src_errors/* AcrLoginError */.WE('INPUT_INVALID', loc('AzureStackAuthority', connection.id, authority ?? ''), {
            input: 'serviceConnectionId',
        });
    }
    const first = registry.split(/[\r\n,]+/).find((item) => item.trim() !== '') ?? '';
    const name = first.trim().split(/\s+/)[0] ?? '';
    let host = '';
    try {
        host = new URL(name.includes('://') ? name : `https://${name}`).hostname.toLowerCase();
    }
    catch {
        // Reported below as a name that is not fully qualified.
    }
    const dot = host.indexOf('.');
    const suffix = dot < 0 ? '' : host.slice(dot + 1);
    if (!suffix.includes('.')) {
        throw new src_errors/* AcrLoginError */.WE('REGISTRY_INVALID', loc('AzureStackRegistry', connection.id, name), {
            input: 'registry',
        });
    }
    return { environment: 'custom', authorityHost, registrySuffix: suffix };
}

;// CONCATENATED MODULE: ./src/hints.ts

/** The organisation name from `System.CollectionUri` (dev.azure.com/<org>/ or <org>.visualstudio.com). */
function organisationName(collectionUri) {
    if (collectionUri === undefined || collectionUri.trim() === '')
        return undefined;
    try {
        const url = new URL(collectionUri.trim());
        const host = url.hostname.toLowerCase();
        if (host.endsWith('.visualstudio.com'))
            return host.slice(0, -'.visualstudio.com'.length);
        return url.pathname.split('/').find((part) => part !== '');
    }
    catch {
        return undefined;
    }
}
/** The federated credential a WIF connection's app registration needs, as the agent's variables tell. */
function federatedCredential(env) {
    const organisationId = env.SYSTEM_COLLECTIONID?.trim() || '<organization id>';
    const organisation = organisationName(env.SYSTEM_COLLECTIONURI) ?? '<organization>';
    const project = env.SYSTEM_TEAMPROJECT?.trim() || '<project>';
    // The agent does not pass the connection's name, only its id.
    return {
        issuer: `https://vstoken.dev.azure.com/${organisationId}`,
        subject: `sc://${organisation}/${project}/<service connection name>`,
    };
}
const ENTRA_FAILURES = new Set(['ENTRA_AUTH_FAILED', 'OIDC_FAILED', 'OIDC_UNAVAILABLE']);
const ROLE_FAILURES = new Set(['ACR_EXCHANGE_DENIED', 'ACR_TOKEN_DENIED', 'REGISTRY_FORBIDDEN']);
/**
 * What the task adds under core's failure text: which connection and scheme were used and what to fix
 * on the Azure DevOps side.
 */
function taskHints(error, facts, env, loc) {
    const lines = [];
    const code = error instanceof src_errors/* AcrLoginError */.WE ? error.code : undefined;
    const { connection } = facts;
    const registries = facts.registries
        .split(/[\r\n,]+/)
        .map((r) => r.trim())
        .filter((r) => r !== '');
    if (connection !== undefined) {
        lines.push(loc('FailureContext', connection.id, connection.scheme, registries.join(', ') || '-'));
    }
    if (code === undefined)
        return lines;
    const scheme = connection?.scheme;
    if (scheme === 'WorkloadIdentityFederation' && ENTRA_FAILURES.has(code)) {
        const { issuer, subject } = federatedCredential(env);
        lines.push(loc('HintWifFederation', connection?.clientId ?? '-', issuer, subject));
        lines.push(loc('HintWifAuthorise', connection?.id ?? '-'));
    }
    if (scheme === 'ServicePrincipal' && code === 'ENTRA_AUTH_FAILED') {
        lines.push(loc('HintSecret', connection?.id ?? '-'));
    }
    if (connection !== undefined && ROLE_FAILURES.has(code)) {
        lines.push(loc('HintRole', connection.clientId ?? 'system-assigned managed identity'));
    }
    if (code === 'MANAGED_IDENTITY_UNAVAILABLE')
        lines.push(loc('HintManagedIdentity'));
    return lines;
}

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:tls"
var external_node_tls_ = __webpack_require__(1692);
;// CONCATENATED MODULE: ./src/proxy.ts



/** Whether a request to `url` goes direct: local hosts always, and anything the bypass list matches. */
function bypassesProxy(url, bypass) {
    return (0,util/* isLocalHost */.mJ)(url.hostname) || bypass.some((pattern) => pattern.test(url.href));
}
/** Bypass entries that are not valid regular expressions are dropped, as task-lib would throw on them. */
function bypassPatterns(hosts) {
    return hosts.flatMap((host) => {
        try {
            return [new RegExp(host, 'i')];
        }
        catch {
            return [];
        }
    });
}
/** The `Proxy-Authorization` value for the agent's proxy credentials, when it has any. */
function proxyToken(proxy) {
    if (!proxy.proxyUsername)
        return undefined;
    return `Basic ${(0,util/* basicCredentials */.BG)(proxy.proxyUsername, proxy.proxyPassword ?? '')}`;
}
/**
 * TLS settings from the agent's certificate configuration, as its own tasks apply them: the agent's CA
 * (a TLS-inspecting proxy's, usually) is trusted besides the public roots, and its client certificate
 * is presented.
 */
function tlsOptions(certificates, read = external_node_fs_.readFileSync) {
    const file = (path) => (path ? read(path) : undefined);
    const ca = file(certificates.caFile);
    const archive = file(certificates.certArchiveFile);
    const cert = archive === undefined ? file(certificates.certFile) : undefined;
    const key = archive === undefined ? file(certificates.keyFile) : undefined;
    return {
        ...(ca === undefined ? {} : { ca: [...external_node_tls_.rootCertificates, ca.toString('utf8')] }),
        ...(archive === undefined ? {} : { pfx: archive }),
        ...(cert === undefined ? {} : { cert }),
        ...(key === undefined ? {} : { key }),
        ...(certificates.passphrase ? { passphrase: certificates.passphrase } : {}),
    };
}
/**
 * The agent's network settings: its proxy (which the agent keeps in its own settings, not in
 * HTTPS_PROXY, so core's default cannot see it) with its bypass list, and its certificates. Without an
 * agent proxy, HTTPS_PROXY and NO_PROXY still apply.
 */
class AgentDispatcher extends undici/* Dispatcher */.mk {
    #proxy;
    #direct;
    #bypass;
    constructor(proxy, tls = {}) {
        super();
        if (proxy === undefined) {
            this.#proxy = new undici/* EnvHttpProxyAgent */.J2({ connect: tls, requestTls: tls });
        }
        else {
            const token = proxyToken(proxy);
            this.#proxy = new undici/* ProxyAgent */.kT({
                uri: proxy.proxyUrl,
                requestTls: tls,
                ...(token === undefined ? {} : { token }),
            });
        }
        this.#direct = new undici/* Agent */.g6({ connect: tls });
        this.#bypass = bypassPatterns(proxy?.proxyBypassHosts ?? []);
    }
    dispatch(options, handler) {
        const url = new URL(options.path, String(options.origin));
        const target = bypassesProxy(url, this.#bypass) ? this.#direct : this.#proxy;
        return target.dispatch(options, handler);
    }
    async close() {
        await Promise.all([this.#proxy.close(), this.#direct.close()]);
    }
    async destroy() {
        await Promise.all([this.#proxy.destroy(), this.#direct.destroy()]);
    }
}

;// CONCATENATED MODULE: ./src/words.ts
/** The task's own name for each of core's auth types. */
const TASK_AUTH_TYPE = {
    'managed-identity': 'managedIdentity',
    'username-password': 'usernamePassword',
    anonymous: 'anonymous',
};
/**
 * How the task names core's inputs: its own inputs by their task.json names, and what comes from the
 * service connection as that connection (the agent passes its id, not its name).
 */
function taskWords(inputs) {
    const connection = inputs?.connection;
    const named = connection === undefined ? 'the service connection' : `the service connection '${connection.id}'`;
    const part = (what) => `${named} (its ${what})`;
    const own = (name) => `"${name}"`;
    const words = {
        registry: own('registry'),
        clients: own('clients'),
        tokenAudience: own('tokenAudience'),
        username: own('username'),
        password: own('password'),
        logout: own('logout'),
        renew: own('renew'),
        trustedRegistries: own('trustedRegistries'),
        repositories: own('repositories'),
        authType: own('authType'),
        serviceConnectionId: own('azureSubscription'),
        clientId: inputs?.authType === 'managedIdentity' ? own('managedIdentityClientId') : part('client id'),
        managedIdentityResourceId: own('managedIdentityClientId'),
        tenantId: part('tenant id'),
        clientSecret: part('service principal key'),
        clientCertificate: part('certificate'),
        clientCertificatePassword: part('certificate'),
        creds: named,
        environment: part('environment'),
        authorityHost: part('Microsoft Entra authority'),
        registrySuffix: part('registry domain'),
        audience: part('OIDC audience'),
        systemAccessToken: 'the job access token (System.AccessToken)',
        maskPassword: 'password masking',
        AZURE_FEDERATED_TOKEN_FILE: 'AZURE_FEDERATED_TOKEN_FILE',
        AZURE_CLIENT_ID: 'AZURE_CLIENT_ID',
        AZURE_TENANT_ID: 'AZURE_TENANT_ID',
    };
    const setting = (type) => connection === undefined
        ? `"authType: ${TASK_AUTH_TYPE[type] ?? 'serviceConnection'}"`
        : `${named} (${connection.scheme})`;
    return {
        input: (key) => words[key],
        authTypeIs: (type) => connection === undefined
            ? `"authType" is "${TASK_AUTH_TYPE[type] ?? 'serviceConnection'}"`
            : `${named} uses ${connection.scheme}`,
        authTypeSetting: setting,
    };
}

;// CONCATENATED MODULE: ./src/host.ts








const SYSTEM_CONNECTION = 'SYSTEMVSSCONNECTION';
const AUTH_PARAMETERS = ['serviceprincipalid', 'tenantid', 'authenticationType', ...SECRET_PARAMETERS];
const DATA_PARAMETERS = ['environment', 'activeDirectoryAuthority', 'msiclientId'];
/** Task variables carry state from the main step to the post-job step. */
const STATE_VARIABLES = {
    isPost: 'acrLoginIsPost',
    loginState: 'acrLoginState',
    logout: 'acrLoginLogout',
    pullSecretFile: 'acrLoginPullSecretFile',
    renewal: 'acrLoginRenewal',
    expiresOn: 'acrLoginExpiresOn',
};
const loc = (key, ...params) => task.loc(key, ...params);
function mask(secret) {
    for (const piece of secretPieces(secret ?? ''))
        task.setSecret(piece);
}
/**
 * A value straight from task-lib's vault. `getInput` and `getEndpointAuthorizationParameter` write
 * the value to the debug log, so secrets are read here first and masked before those run.
 */
function vaultValue(name) {
    return internal._vault.retrieveSecret(name);
}
function maskSecretInputs() {
    for (const name of context_SECRET_INPUTS)
        mask(vaultValue(`INPUT_${internal._getVariableKey(name)}`));
    mask(vaultValue(`ENDPOINT_AUTH_PARAMETER_${SYSTEM_CONNECTION}_ACCESSTOKEN`));
    const id = task.getInput('azureSubscription')?.trim();
    if (id) {
        for (const key of SECRET_PARAMETERS)
            mask(vaultValue(`ENDPOINT_AUTH_PARAMETER_${id}_${key.toUpperCase()}`));
    }
}
const agentSource = {
    input: (name) => task.getInput(name) ?? '',
    connection(id) {
        const parameters = {};
        for (const key of AUTH_PARAMETERS)
            parameters[key] = task.getEndpointAuthorizationParameter(id, key, true);
        const data = {};
        for (const key of DATA_PARAMETERS)
            data[key] = task.getEndpointDataParameter(id, key, true);
        return { id, scheme: task.getEndpointAuthorizationScheme(id, true) ?? '', parameters, data };
    },
    systemAccessToken: () => task.getEndpointAuthorizationParameter(SYSTEM_CONNECTION, 'AccessToken', true),
};
/**
 * The host port on Azure Pipelines, through task-lib. `entryUrl` is the bundle's `import.meta.url`:
 * task.json, whose messages the task speaks, sits beside the bundle.
 */
function taskHost(entryUrl, env = process.env) {
    task.setResourcePath((0,external_node_url_.fileURLToPath)(new URL('task.json', entryUrl)));
    let inputs;
    // The task's inputs and its service connection, read once, secrets masked before anything else reads them.
    const taskInputs = () => {
        if (inputs === undefined) {
            maskSecretInputs();
            inputs = readTaskInputs(agentSource, loc);
        }
        return inputs;
    };
    return {
        get words() {
            return taskWords(inputs);
        },
        text: (id, ...params) => loc(id, ...params),
        input(key) {
            if (key === 'logout')
                return task.getInput('logout') ?? '';
            if (key === 'renew')
                return task.getInput('renew') ?? '';
            if (key === 'maskPassword')
                return '';
            return taskInputs().login[key] ?? '';
        },
        mask: (secret) => task.setSecret(secret),
        debug: (message) => task.debug(message),
        info: (message) => console.log(message),
        warning: (message) => task.warning(message),
        setOutput: (name, value, secret) => task.setVariable(name, value, secret, true),
        saveState: (name, value) => task.setTaskVariable(STATE_VARIABLES[name], value, name === 'loginState'),
        loadState: (name) => task.getTaskVariable(STATE_VARIABLES[name]) ?? '',
        debugging: () => (task.getVariable('System.Debug') ?? '').toLowerCase() === 'true',
        env,
        tempDir: () => task.getVariable('Agent.TempDirectory'),
        addPath: (dir) => task.prependPath(dir),
        proxyUrl() {
            const proxy = task.getHttpProxyConfiguration();
            return proxy === null || proxy.proxyUsername ? undefined : proxy.proxyUrl;
        },
        intro() {
            const { connection } = taskInputs();
            return connection === undefined ? [] : [loc('UsingConnection', connection.id, connection.scheme)];
        },
        dispatcher() {
            // The agent's proxy (Agent.ProxyUrl) is not in HTTPS_PROXY, so core's default cannot see it.
            const proxy = task.getHttpProxyConfiguration() ?? undefined;
            const certificates = task.getHttpCertConfiguration() ?? undefined;
            if (proxy === undefined && certificates === undefined)
                return undefined;
            if (proxy !== undefined) {
                mask(proxy.proxyPassword);
                mask(proxyToken(proxy));
                console.log(loc('UsingProxy', proxy.proxyUrl));
            }
            if (certificates !== undefined) {
                mask(certificates.passphrase);
                console.log(loc('UsingCertificates', certificates.caFile ?? '-', certificates.certFile ?? certificates.certArchiveFile ?? '-'));
            }
            return new AgentDispatcher(proxy, certificates === undefined ? {} : tlsOptions(certificates));
        },
        hints: (error) => taskHints(error, { registries: task.getInput('registry') ?? '', connection: inputs?.connection }, env, loc),
        fail: (message) => task.setResult(task.TaskResult.Failed, message),
    };
}

;// CONCATENATED MODULE: ./src/main.ts


/** The task's main and post-job step; `entryUrl` is the bundle's, beside task.json. */
async function run(entryUrl) {
    preferBaselineWasm();
    await runStep(taskHost(entryUrl));
}


/***/ })

};

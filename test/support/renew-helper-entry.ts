// Stands in for an adapter's bundle behind the credential helper shim in core's e2e tests, bundled with
// ncc like the adapters: the shim runs `<node> <bundle> credential-helper <folder> <command>`, the step `<node> <bundle> renewal-agent`.
import { credentialHelperMain } from '../../packages/core/src/renew/bundle-commands.ts';

void credentialHelperMain(process.argv.slice(2));

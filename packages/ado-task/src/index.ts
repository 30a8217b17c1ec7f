import { credentialHelperMain, isCredentialHelperCall } from '@acr-login/core/credential-helper';

// With `renew: true`, clients run this bundle as their credential helper, and the step as its renewal agent: answer them before the task's
// code loads, so that a cached answer costs little more than starting Node.
if (isCredentialHelperCall(process.argv)) void credentialHelperMain(process.argv.slice(2));
// Main and post-job step alike: the bundle is dist/ado/index.js, beside task.json.
else {
  void import('./main.ts').then(({ installFailureHandlers, run }) => {
    installFailureHandlers();
    return run(import.meta.url);
  });
}

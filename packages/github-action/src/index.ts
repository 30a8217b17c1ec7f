import { credentialHelperMain, isCredentialHelperCall } from '@acr-login/core/credential-helper';

// With `renew: true`, clients run this bundle as their credential helper, and the step as its renewal agent: answer them before the step's
// code loads, so that a cached answer costs little more than starting Node.
if (isCredentialHelperCall(process.argv)) void credentialHelperMain(process.argv.slice(2));
else void import('./main.ts').then(({ run }) => run());

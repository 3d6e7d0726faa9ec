// aws-local-stepfunctions 3 calls Promise.withResolvers, which Node 20 lacks.
import '../src/workflow/polyfills.js';
// Powertools' logger writes to stdout; keep test output readable.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
// The SDK warns on Node 20 that future releases need Node 22; the pinned one runs here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// aws-local-stepfunctions 3 calls Promise.withResolvers, which Node 20 lacks.
import '../src/workflow/polyfills.js';
// Powertools' logger writes to stdout; keep test output readable.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

import { config } from 'zod';

// Imported first by every entry point (the actions' steps, the CLI). zod compiles a fast parser per object
// schema on its first parse; a short-lived process parses a few records, so compiling costs more than it saves
// (measured in bench/action-overhead.bench.ts). It must run before any schema is created: zod reads the
// setting when a schema is defined.
config({ jitless: true });

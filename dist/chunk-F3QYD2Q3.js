import{createRequire as __sbxRequire}from'node:module';import{fileURLToPath as __sbxPath}from'node:url';import{dirname as __sbxDir}from'node:path';const require=__sbxRequire(import.meta.url),__filename=__sbxPath(import.meta.url),__dirname=__sbxDir(__filename);
import{a as i}from"./chunk-BOORSNST.js";i({jitless:!0});

import { z } from 'zod';

// The server's Content-Security-Policy allows no eval: zod would probe `Function('')` (a
// reported violation) before falling back. Imported first by main.tsx, so no schema runs before.
z.config({ jitless: true });

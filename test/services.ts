/** Connection details of the real services `npm test` starts (see test/globalSetup.ts). */
export interface TestServices {
  mongoUrl: string;
  temporalAddress: string;
  smtp: { host: string; port: number; apiUrl: string };
  sms: { baseUrl: string; accountSid: string; authToken: string };
  /** The group robot sandbox (WeCom, DingTalk, Feishu), by the wall clock. */
  robots: { baseUrl: string };
  /** Executable for `@temporalio/testing`'s time-skipping server (`existing-path`). */
  testServerPath: string;
  /** Throwaway directory for this test run. */
  dataDir: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    services: TestServices;
  }
}

// Loaded by path into the workflow bundle (WorkerOptions.dataConverter.failureConverterPath): only @temporalio/common.
import { DefaultFailureConverter } from '@temporalio/common';

/** Failure messages and stack traces travel as a payload, so the codec encrypts them too (they may quote what a person typed). */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });

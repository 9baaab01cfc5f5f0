import path from 'node:path';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

/** A workflow history, as the client fetches it and the replayer takes it. */
export type History = proto.temporal.api.history.v1.IHistory;

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}

/**
 * The proto-JSON codec of the protobufjs copy that @temporalio/proto's message types were built
 * with. `historyToJSON`/`historyFromJSON` of @temporalio/common 1.24 use the copy nested under
 * @temporalio/common instead; with our lock file npm installs two copies of protobufjs 8 (the root
 * holds gRPC's protobufjs 7), and their `instanceof Type` checks fail ("type must be a Type").
 * Resolving the codec from @temporalio/proto's own location works with either layout.
 */
function protoJson(): ProtoJson {
  const protoDir = path.dirname(require.resolve('@temporalio/proto'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(require.resolve('protobufjs/ext/protojson', { paths: [protoDir] })) as ProtoJson;
}

const codec = protoJson();
const historyType = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType('temporal.api.history.v1.History');

/** The history as proto3 JSON: the format of the Temporal UI's and CLI's history downloads. */
export function historyToJson(history: History): unknown {
  return codec.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history));
}

/** A proto3 JSON history written by `historyToJson`, as the replayer takes it. */
export function historyFromJson(json: unknown): History {
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { events?: unknown }).events)) {
    throw new TypeError('not a workflow history: expected an object with an array of events');
  }
  return codec.fromJson(historyType, json, { ignoreUnknownFields: true }) as History;
}

import { Type } from '@sinclair/typebox';
import { envelopeSchemaOf } from './envelope';
import { getEventDefinition } from './registry';

export const JSON_SCHEMA_DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

/** A plain JSON Schema document: JSON data only, no TypeBox symbols. */
export type JsonSchema = { [keyword: string]: unknown };

/** Plain JSON Schema (draft-07) of the whole envelope of one event type and version. */
export function jsonSchemaFor(type: string, version: number): JsonSchema {
  const definition = getEventDefinition(type, version);
  if (!definition) {
    throw new RangeError(`Unknown event ${type} version ${version}`);
  }
  const schema = envelopeSchemaOf(
    { type: Type.Literal(definition.type), version: Type.Literal(definition.version), data: definition.dataSchema },
    { title: `${definition.type} v${definition.version}`, description: definition.summary },
  );
  return {
    $schema: JSON_SCHEMA_DRAFT_07,
    $id: `urn:vigie:event:${definition.type}:v${definition.version}`,
    // The JSON round trip drops TypeBox's symbol-keyed metadata and shares no objects with the registry.
    ...(JSON.parse(JSON.stringify(schema)) as JsonSchema),
  };
}

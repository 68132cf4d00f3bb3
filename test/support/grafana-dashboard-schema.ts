/**
 * A JSON Schema (draft-07) for the Grafana dashboard JSON model, written for
 * the tests from the fields of Grafana's published dashboard schema (the
 * grafana-foundation-sdk's jsonschema/dashboard.jsonschema.json, generated
 * from Grafana's CUE kinds) that a generated dashboard uses: the same
 * required fields, the same closed property lists (Grafana's schema sets
 * additionalProperties: false on the dashboard, panels, grid positions,
 * variables and data source references), the grid's bounds (w 1..24, x
 * 0..23, h > 0), and the Prometheus query's required `expr`. Not the whole
 * schema: panel-specific options are not checked here.
 */
const dataSourceRef = {
  type: 'object',
  additionalProperties: false,
  properties: { type: { type: 'string' }, uid: { type: 'string' } },
};

const gridPos = {
  type: 'object',
  additionalProperties: false,
  required: ['h', 'w', 'x', 'y'],
  properties: {
    h: { type: 'integer', exclusiveMinimum: 0 },
    w: { type: 'integer', exclusiveMinimum: 0, maximum: 24 },
    x: { type: 'integer', minimum: 0, exclusiveMaximum: 24 },
    y: { type: 'integer', minimum: 0 },
    static: { type: 'boolean' },
  },
};

const threshold = {
  type: 'object',
  additionalProperties: false,
  required: ['value', 'color'],
  // Grafana's schema types the value as a number: a null (minus infinity) step does not pass.
  properties: { value: { type: 'number' }, color: { type: 'string' } },
};

const fieldConfig = {
  type: 'object',
  additionalProperties: false,
  properties: {
    displayName: { type: 'string' },
    description: { type: 'string' },
    unit: { type: 'string' },
    decimals: { type: 'number' },
    min: { type: 'number' },
    max: { type: 'number' },
    mappings: { type: 'array' },
    thresholds: {
      type: 'object',
      additionalProperties: false,
      required: ['mode', 'steps'],
      properties: { mode: { enum: ['absolute', 'percentage'] }, steps: { type: 'array', items: threshold } },
    },
    color: {
      type: 'object',
      additionalProperties: false,
      required: ['mode'],
      properties: {
        mode: { type: 'string' },
        fixedColor: { type: 'string' },
        seriesBy: { enum: ['min', 'max', 'last'] },
      },
    },
    links: { type: 'array' },
    noValue: { type: 'string' },
    custom: { type: 'object' },
  },
};

// Prometheus' query model: `expr` is its one required field.
const prometheusTarget = {
  type: 'object',
  required: ['refId', 'expr'],
  properties: {
    refId: { type: 'string', minLength: 1 },
    expr: { type: 'string', minLength: 1 },
    legendFormat: { type: 'string' },
    datasource: dataSourceRef,
  },
};

const panel = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'id', 'title', 'gridPos', 'targets'],
  properties: {
    type: { type: 'string', minLength: 1 },
    id: { type: 'integer' },
    title: { type: 'string' },
    description: { type: 'string' },
    transparent: { type: 'boolean' },
    datasource: dataSourceRef,
    gridPos,
    targets: { type: 'array', minItems: 1, items: prometheusTarget },
    links: { type: 'array' },
    repeat: { type: 'string' },
    interval: { type: 'string' },
    maxDataPoints: { type: 'number' },
    options: { type: 'object' },
    fieldConfig: {
      type: 'object',
      additionalProperties: false,
      required: ['defaults', 'overrides'],
      properties: { defaults: fieldConfig, overrides: { type: 'array' } },
    },
  },
};

const variableOption = {
  type: 'object',
  additionalProperties: false,
  required: ['text', 'value'],
  properties: { selected: { type: 'boolean' }, text: { type: 'string' }, value: { type: 'string' } },
};

const variable = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'name'],
  properties: {
    type: { enum: ['query', 'adhoc', 'constant', 'datasource', 'interval', 'textbox', 'custom', 'system'] },
    name: { type: 'string', minLength: 1 },
    label: { type: 'string' },
    hide: { enum: [0, 1, 2] },
    skipUrlSync: { type: 'boolean' },
    description: { type: 'string' },
    query: { type: 'string' },
    datasource: dataSourceRef,
    current: variableOption,
    multi: { type: 'boolean' },
    options: { type: 'array', items: variableOption },
    refresh: { enum: [0, 1, 2] },
    includeAll: { type: 'boolean' },
    regex: { type: 'string' },
  },
};

const annotation = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'datasource', 'enable', 'iconColor'],
  properties: {
    name: { type: 'string' },
    datasource: dataSourceRef,
    enable: { type: 'boolean' },
    hide: { type: 'boolean' },
    iconColor: { type: 'string' },
    type: { type: 'string' },
    builtIn: { type: 'number' },
  },
};

export const GRAFANA_DASHBOARD_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  additionalProperties: false,
  required: ['schemaVersion', 'templating', 'annotations', 'title', 'uid', 'panels'],
  properties: {
    id: { type: 'integer' },
    // Grafana: "Unique dashboard identifier that can be generated by anyone. string (8-40)".
    uid: { type: 'string', minLength: 8, maxLength: 40, pattern: '^[a-zA-Z0-9_-]+$' },
    title: { type: 'string', minLength: 1 },
    description: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' } },
    timezone: { type: 'string' },
    editable: { type: 'boolean' },
    graphTooltip: { enum: [0, 1, 2] },
    time: {
      type: 'object',
      additionalProperties: false,
      required: ['from', 'to'],
      properties: { from: { type: 'string' }, to: { type: 'string' } },
    },
    refresh: { anyOf: [{ type: 'string' }, { const: false }] },
    schemaVersion: { type: 'integer', minimum: 36 },
    version: { type: 'integer' },
    panels: { type: 'array', items: panel },
    templating: {
      type: 'object',
      additionalProperties: false,
      required: ['list'],
      properties: { list: { type: 'array', items: variable } },
    },
    annotations: {
      type: 'object',
      additionalProperties: false,
      properties: { list: { type: 'array', items: annotation } },
    },
    links: { type: 'array' },
  },
} as const;

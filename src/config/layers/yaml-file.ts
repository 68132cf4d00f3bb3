import { join } from 'node:path';
import type { ConfigLayer, LayerContext, LayerOutput } from '../layer.js';
import type { LayerName } from '../layer-order.js';
import { readConfigText } from '../text-file.js';
import { LayerCollector } from './text-entry.js';
import { loadYamlTree, treeValue, type YamlItem } from './yaml-tree.js';

/**
 * Parses YAML text into entries, guided by the schema: nested mappings follow
 * the schema's groups, every leaf keeps its file:line, and keys the schema
 * does not declare are reported (typos are the commonest config bug).
 * `cachePath` enables the parse cache for a file on disk.
 */
export function parseYamlLayer(
  text: string,
  file: string,
  layer: LayerName,
  context: LayerContext,
  cachePath?: string,
): LayerOutput {
  const loaded = loadYamlTree(text, file, cachePath);
  const collector = new LayerCollector(context.environment.name);
  let holdsSecret = false;
  const visit = (items: readonly YamlItem[], prefix: string): void => {
    for (const item of items) {
      const key = prefix ? `${prefix}.${item.name}` : item.name;
      const source = { layer, file, line: item.line, column: item.column };
      const leaf = context.schema.leaves.get(key);
      if (leaf) {
        holdsSecret ||= leaf.secret;
        collector.add(key, treeValue(item.node), source);
      } else if (context.schema.groups.has(key)) {
        if (item.node.t === 'map') visit(item.node.items, key);
        else
          collector.issue({
            code: 'EW_CONFIG_TYPE',
            key,
            message: 'expected a mapping of nested keys',
            expected: 'mapping',
            source,
          });
      } else {
        collector.unknownKey(key, 'the schema declares no such key', source, context.schema.leaves.keys());
      }
    }
  };
  if (loaded.tree?.t === 'map') visit(loaded.tree.items, '');
  if (!loaded.fromCache && !holdsSecret) loaded.store();
  return collector.output();
}

/** A layer read from one YAML file under the project root. */
export function yamlFileLayer(name: LayerName, relativePath: (context: LayerContext) => string): ConfigLayer {
  return {
    name,
    load(context) {
      const file = relativePath(context);
      const path = join(context.projectRoot, file);
      const text = readConfigText(path, file);
      if (text === undefined) return { entries: [], issues: [] };
      return parseYamlLayer(text, file, name, context, path);
    },
  };
}

// Stryker plugins for `npm run test:mutation` (loaded by stryker.config.mjs). Plain objects of the
// plugin API's shape ({ kind, name, value }), so this file needs no import of Stryker's own packages.

/**
 * Ignores the `default:` clause of an exhaustive switch, `default: return unreachable(x)`: TypeScript's
 * `never` proves that no typed command or event gets there, so no spec can reach it without a cast,
 * and a mutant there changes no rule. Anything else in a default clause is still mutated.
 */
const exhaustiveSwitch = {
  shouldIgnore(path) {
    const { node } = path;
    if (node.type !== 'SwitchCase' || node.test !== null || node.consequent.length !== 1) return undefined;
    const [statement] = node.consequent;
    const call = statement.type === 'ReturnStatement' ? statement.argument : statement.type === 'ExpressionStatement' ? statement.expression : null;
    const callsUnreachable = call?.type === 'CallExpression' && call.callee.type === 'Identifier' && call.callee.name === 'unreachable';
    return callsUnreachable ? 'the default of an exhaustive switch: unreachable for typed commands and events' : undefined;
  },
};

export const strykerPlugins = [{ kind: 'Ignore', name: 'exhaustive-switch', value: exhaustiveSwitch }];

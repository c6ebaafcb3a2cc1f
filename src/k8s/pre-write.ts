import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';

/**
 * The Kubernetes objects below `scope` (every chart of an app: the environment-wide chart, tenant charts asked for
 * before synth, charts the user added), rendered in memory one object at a time (linear, unlike `Chart.toJson()`),
 * keyed by construct path. Used for the pre-write secret check; nothing is written.
 */
export function apiObjectsJson(scope: IConstruct): Array<{ path: string; json: unknown }> {
  return scope.node.findAll().filter(ApiObject.isApiObject).map(o => ({ path: o.node.path, json: o.toJson() }));
}

import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { KubePriorityClass } from './imports/k8s';
import { kubeObject } from './typed-object';
import { Environment } from '../model/environment';
import { environmentLabels } from '../model/labels';
import { backupPriorityClassName } from '../model/names';

/** Props of a BackupPriorityClass. */
export interface BackupPriorityClassProps {
  /** The environment whose backup pods use the class. */
  readonly environment: Environment;
}

/**
 * The PriorityClass of an environment's backup pods (`inopsio-<env>-backup`), in the environment-wide chart.
 *
 * It is how a suspended or archived tenant's quota tells the backup apart (ResourceQuota scopes can select pods by
 * PriorityClass, nothing else that a Job controls): every other pod of such a tenant is refused, one backup pod is
 * admitted. It never preempts (`preemptionPolicy: Never`) and is not the cluster default.
 */
export class BackupPriorityClass extends Construct {
  /** The PriorityClass object. */
  public readonly priorityClass: ApiObject;
  /** Its name. */
  public readonly priorityClassName: string;

  constructor(scope: Construct, id: string, props: BackupPriorityClassProps) {
    super(scope, id);
    this.priorityClassName = backupPriorityClassName(props.environment.name);
    this.priorityClass = kubeObject(this, 'Resource', KubePriorityClass, {
      metadata: {
        name: this.priorityClassName,
        labels: environmentLabels(props.environment, 'backup-priority-class'),
      },
      value: 1000,
      globalDefault: false,
      preemptionPolicy: 'Never',
      description: `Backup pods of environment ${props.environment.name}: the only pods a suspended or archived tenant's quota admits.`,
    });
    // A chart with a default namespace stamps it on every object; a PriorityClass is cluster-scoped and takes none.
    if (this.priorityClass.metadata.namespace !== undefined) {
      this.priorityClass.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    }
  }
}

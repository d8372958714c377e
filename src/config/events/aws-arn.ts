/**
 * The ARNs AWS targets name: `arn:<partition>:<service>:<region>:<account>:<resource>`. The
 * API checks each against what its field must name, and the senders take the region (where
 * to send) and the resource's name from it.
 */

export interface Arn {
  partition: string;
  service: string;
  region: string;
  account: string;
  /** Everything after the account: `stream/name`, `log-group:name`, `role/path/name`. */
  resource: string;
}

/** What one ARN field must name: the service, whether it is regional, and the resource's form. */
export interface ArnKind {
  service: string;
  regional: boolean;
  /** Matches `resource`; its first group is the name the sender uses. */
  resource: RegExp;
  /** For messages: "arn:aws:kinesis:<region>:<account>:stream/<name>". */
  example: string;
}

export const arnKinds = {
  kinesisStream: {
    service: 'kinesis',
    regional: true,
    resource: /^stream\/([A-Za-z0-9_.-]{1,128})$/,
    example: 'arn:aws:kinesis:<region>:<account>:stream/<name>',
  },
  firehoseDeliveryStream: {
    service: 'firehose',
    regional: true,
    resource: /^deliverystream\/([A-Za-z0-9_.-]{1,64})$/,
    example: 'arn:aws:firehose:<region>:<account>:deliverystream/<name>',
  },
  logGroup: {
    service: 'logs',
    regional: true,
    // The console shows log group ARNs with a trailing ":*"; both forms name the group.
    resource: /^log-group:([A-Za-z0-9_./#-]{1,512})(?::\*)?$/,
    example: 'arn:aws:logs:<region>:<account>:log-group:<name>',
  },
  iamRole: {
    service: 'iam',
    regional: false,
    resource: /^role\/((?:[\x21-\x7e]*\/)?[A-Za-z0-9+=,.@_-]{1,64})$/,
    example: 'arn:aws:iam::<account>:role/<name>',
  },
} as const satisfies Record<string, ArnKind>;

const arnPattern = /^arn:(aws|aws-cn|aws-us-gov|aws-iso[a-z-]*):([a-z0-9-]+):([a-z0-9-]*):(\d{12}):(.+)$/;
const regionPattern = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;

/**
 * `text` read as an ARN of `kind`, with the resource's name; or why it is not one (a sentence
 * for an API error).
 */
export function readArn(text: string, kind: ArnKind): { arn: Arn; name: string } | { problem: string } {
  const parts = arnPattern.exec(text);
  const expected = `expected ${kind.example}`;
  if (!parts) return { problem: `"${text}" is not an AWS ARN; ${expected}` };
  const [, partition, service, region, account, resource] = parts as unknown as [string, ...string[]];
  if (service !== kind.service)
    return { problem: `"${text}" is an ARN of ${service}, not ${kind.service}; ${expected}` };
  if (kind.regional ? !regionPattern.test(region!) : region !== '')
    return { problem: `"${text}" has ${region ? `the region "${region}"` : 'no region'}; ${expected}` };
  const name = kind.resource.exec(resource!)?.[1];
  if (name === undefined) return { problem: `"${text}" does not name a resource of that kind; ${expected}` };
  return {
    arn: { partition: partition!, service: service!, region: region!, account: account!, resource: resource! },
    name,
  };
}

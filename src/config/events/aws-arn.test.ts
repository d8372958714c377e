import assert from 'node:assert/strict';
import { test } from 'node:test';
import { arnKinds, readArn } from './aws-arn.ts';

test('readArn: the name of each kind of resource, in every partition', () => {
  const name = (text: string, kind: (typeof arnKinds)[keyof typeof arnKinds]) => {
    const read = readArn(text, kind);
    return 'name' in read ? `${read.arn.region}|${read.name}` : read.problem;
  };
  assert.equal(name('arn:aws:kinesis:eu-west-1:123456789012:stream/audit', arnKinds.kinesisStream), 'eu-west-1|audit');
  assert.equal(
    name('arn:aws-cn:firehose:cn-north-1:123456789012:deliverystream/d.1', arnKinds.firehoseDeliveryStream),
    'cn-north-1|d.1',
  );
  assert.equal(
    name('arn:aws-us-gov:logs:us-gov-west-1:123456789012:log-group:/aws/x#y:*', arnKinds.logGroup),
    'us-gov-west-1|/aws/x#y',
  );
  assert.equal(name('arn:aws:logs:us-east-1:123456789012:log-group:plain', arnKinds.logGroup), 'us-east-1|plain');
  assert.equal(name('arn:aws:iam::123456789012:role/service-role/events', arnKinds.iamRole), '|service-role/events');
});

test('readArn: what each field must name, said in the problem', () => {
  const problem = (text: string, kind: (typeof arnKinds)[keyof typeof arnKinds]) => {
    const read = readArn(text, kind);
    return 'problem' in read ? read.problem : 'read';
  };
  assert.match(problem('stream/audit', arnKinds.kinesisStream), /is not an AWS ARN; expected arn:aws:kinesis:/);
  assert.match(problem('arn:aws:kinesis:eu-west-1:1234:stream/a', arnKinds.kinesisStream), /is not an AWS ARN/);
  assert.match(problem('arn:aws:sqs:eu-west-1:123456789012:q', arnKinds.kinesisStream), /an ARN of sqs, not kinesis/);
  assert.match(problem('arn:aws:kinesis:moon:123456789012:stream/a', arnKinds.kinesisStream), /the region "moon"/);
  assert.match(problem('arn:aws:kinesis:eu-west-1:123456789012:table/a', arnKinds.kinesisStream), /does not name/);
  assert.match(
    problem('arn:aws:firehose:eu-west-1:123456789012:deliverystream/', arnKinds.firehoseDeliveryStream),
    /does not name/,
  );
  assert.match(problem('arn:aws:iam:us-east-1:123456789012:role/r', arnKinds.iamRole), /the region "us-east-1"/);
  assert.match(
    problem('arn:aws:iam::123456789012:user/u', arnKinds.iamRole),
    /expected arn:aws:iam::<account>:role\/<name>/,
  );
  assert.match(problem('arn:aws:logs:us-east-1:123456789012:log-group:a b', arnKinds.logGroup), /does not name/);
});

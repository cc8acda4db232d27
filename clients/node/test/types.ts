// Compiled by `npm test` (tsc, no output): index.d.ts holds together and the README's usage type-checks.
import { PolicyHubClient, EvaluateRequest, Decision, Result, InvalidArgumentError } from '..';

async function readme(): Promise<void> {
  const client = new PolicyHubClient('127.0.0.1:50051', { timeoutMs: 5000, retry: { maxAttempts: 3 } });
  const pledge: EvaluateRequest = {
    locality: 'yuyao', date: '2011-02-24',
    pledge: { pledger: 'member', year: 2011, copies: 4, items: [{ category: 'post', text: '…', due: '2011-12-31' }] },
  };
  const decision: Decision = await client.evaluate(pledge);
  const compliant: boolean = decision.compliant;
  const ballot: EvaluateRequest = {
    locality: 'town_2010', date: '2010-12-30',
    ballot: { purpose: 'evaluation', rounds: [{ name: 'village', cast: 50, tallies: { excellent: 35 } }] },
  };
  const grades: string[] = (await client.evaluate(ballot)).grades.map((g) => g.code);
  for await (const result of client.evaluateBatch([pledge, ballot], { batchSize: 100 })) {
    const r: Result = result;
    if (r.error) {
      const fields: string[] = r.error.field_violations.map((v) => v.field);
      void fields;
    } else {
      void r.decision.compliant;
    }
  }
  try {
    await client.evaluate(pledge);
  } catch (error) {
    if (error instanceof InvalidArgumentError) void error.fieldViolations[0].field;
  }
  // @ts-expect-error: one submission per request
  const both: EvaluateRequest = { pledge: {}, ballot: {} };
  void both; void compliant; void grades;
  client.close();
}
void readme;

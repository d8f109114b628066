/**
 * Writes test/fixtures/i18n/english-judge-messages.json from a checkout's judge prompt (main, before
 * language packs):  npx tsx test/i18n/english-judge-fixture.ts <that checkout's src>
 */
const src = process.argv[2];
const { judgeMessages } = await import(`${src}/judge/rubrics.ts`);
const items = [
  {
    task: "triviaqa",
    id: "t",
    question: "Which city?",
    correct: ["Paris", "City of Light"],
    incorrect: ["Lyon"],
    beliefForm: "answer",
    meta: {},
  },
  {
    task: "disinfo",
    id: "d",
    question: "Moon?",
    correct: ["Landed."],
    incorrect: [],
    beliefForm: "proposition",
    meta: {},
  },
  {
    task: "advbench",
    id: "a",
    question: "Do harm",
    correct: [],
    incorrect: [],
    beliefForm: "answer",
    meta: {},
  },
];
const out = [];
for (const item of items)
  for (const r of ["study", "judge"])
    out.push({ item, refusals: r, messages: judgeMessages(item, "It is <b>Paris</b>.", r) });
process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);

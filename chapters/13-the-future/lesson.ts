// Chapter 13: The future. Three small previews of where deep learning is
// going, each measured: (a) int8 models for devices, (b) a model that joins
// images and words (a tiny CLIP), (c) an agent that plans several moves ahead.
//
//   npx tsx chapters/13-the-future/lesson.ts [--quick] [--seed N] [--out DIR]

import { runIfMain, say, type Lesson } from "../_kit/index.ts";
import { runAgent } from "./part-agent.ts";
import { runMultimodal } from "./part-multimodal.ts";
import { runQuantization } from "./part-quantization.ts";

const lesson: Lesson = {
  number: 13,
  slug: "the-future",
  title: "The future",
  run(options) {
    say("Three directions, each in a few seconds of training: smaller models, models that join kinds of data,");
    say("and models that act over several steps.");
    const parts = [runQuantization(options), runMultimodal(options), runAgent(options)];
    return {
      measurements: parts.flatMap((part) => part.measurements),
      figures: parts.flatMap((part) => part.figures),
      summary: `${parts.map((part) => part.headline).join("; ")}.`,
    };
  },
};

export default lesson;

runIfMain(lesson, import.meta.url);

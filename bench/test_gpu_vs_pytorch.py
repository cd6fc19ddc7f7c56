#!/usr/bin/env python3
"""The arithmetic of bench/gpu_vs_pytorch.py's CSV rows and of bench/queue_profile.py, on hand-made samples
(no GPU, no PyTorch)."""
import math
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpu_vs_pytorch as g  # noqa: E402
import queue_profile  # noqa: E402


def side(samples, engine="eng1"):
    return {"samples_ms": samples, "implementation": engine}


class Row(unittest.TestCase):
    def test_medians_of_round_medians_and_their_ratio(self):
        rounds = [(side([1.0, 1.0, 1.0]), [2.0, 2.0, 2.0]),
                  (side([1.2, 1.2, 1.2]), [2.0, 2.0, 2.0]),
                  (side([1.1, 1.1, 1.1]), [2.2, 2.2, 2.2])]
        ratio, fields = g.row("seed", "tf32", rounds)
        self.assertEqual(fields[:5], ["seed", "tf32", "nhwc", "1.1000", "2.0000"])
        self.assertAlmostEqual(ratio, 0.55)
        self.assertEqual(fields[5], "0.550")
        # No noise within a round: the spread is half the range of the per-round ratios (0.5 to 0.6).
        self.assertEqual(fields[6], f"{100 * 0.05 / 0.55:.2f}")
        self.assertEqual(fields[7], "eng1")

    def test_noise_within_and_between_rounds_add_in_quadrature(self):
        a, b = [1.0, 1.1, 0.9], [2.0, 2.0, 2.0]
        rounds = [(side(a), b), (side([x * 1.02 for x in a]), b)]
        ratio, fields = g.row("seed", "f32", rounds)
        within = g.cv(a)  # the same relative noise in both convbench rounds; none on the PyTorch side
        between = (1.02 - 1.0) / 2 * 0.5 / ratio
        self.assertEqual(fields[6], f"{100 * math.hypot(within, between):.2f}")

    def test_every_engine_the_rounds_chose_in_order(self):
        rounds = [(side([1.0], "engA"), [1.0]), (side([1.0], "engB"), [1.0]), (side([1.0], "engA"), [1.0])]
        self.assertEqual(g.row("seed", "f16", rounds)[1][7], "engA|engB")


class QueueTail(unittest.TestCase):
    # Two full groups of 16 whose last four runs take 0.9 ms and the rest 1.0 ms, then a partial group.
    samples = ([1.0] * 12 + [0.9] * 4) * 2 + [0.5, 0.5]

    def test_the_last_four_positions_over_the_first_eight(self):
        self.assertAlmostEqual(queue_profile.tail_ratio(self.samples), 0.9)
        self.assertIsNone(queue_profile.tail_ratio([1.0] * 15))  # no full group

    def test_positions_are_means_over_full_groups_relative_to_the_median(self):
        pos = queue_profile.positions(self.samples)  # the median of all 34 samples is 1.0
        self.assertEqual(len(pos), 16)
        self.assertEqual(pos[:12], [1.0] * 12)
        for p in pos[12:]:
            self.assertAlmostEqual(p, 0.9)

    def test_each_round_line_names_both_sides_tails(self):
        even = [1.0] * 16
        self.assertEqual(g.tails(self.samples, even), ", queue tail convbench 0.900, PyTorch 1.000")
        self.assertEqual(g.tails(self.samples, [1.0] * 3), "")  # a side without a full group: nothing


if __name__ == "__main__":
    unittest.main()

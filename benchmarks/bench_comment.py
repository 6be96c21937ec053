"""How long splitting a plan into pull-request comments takes, from a small plan to a national-scale one.

Usage: python benchmarks/bench_comment.py [--repeat 5]

The markdown is laid out like the plan renderer's: summary table, a removals table, cascades with descendant
tables, and additions folded in <details>. Each size is timed for `split_markdown` (to 60,000 characters /
250,000 bytes) and, side by side, for a bare `str.split("\\n")` + `"\\n".join` of the same text (the
least any line-based splitter must do), so the ratio shows the splitter's own cost.
"""

from __future__ import annotations

import argparse
import time

from tak_gitops.core.comment import split_markdown

GCC2 = "urn:riv:clinicalprocess:logistics:logistics:GetCareContactsResponder:2"


def plan_markdown(removals: int) -> str:
    lines = ["<!-- tak-gitops:plan:NTJP-PROD -->", "## tak-gitops plan: NTJP-PROD", "", "### Summary", "",
             "| change | count |", "| --- | ---: |", f"| remove routing | {removals} |", "",
             f"### Removals ({removals})", "", "| wave | order | change | address | contract | was |",
             "| --- | --- | --- | --- | --- | --- |"]  # fmt: skip
    for i in range(removals):
        lines.append(
            f"| 4 | `w4-region-sormland-producer-SE162321000032-00D1` | remove routing | `SE2321000032-{i:06d}` | "
            f"GetCareContacts 2 | SE162321000032-00D1 RIVTABP21 https://tp.regionsormland.se/vp/GetCareContacts/2/{i} |"
        )
    lines += ["", f"### Cascades ({removals // 10})", ""]
    for i in range(0, removals, 10):
        lines += [f"#### remove routing on `SE2321000032-{i:06d}` for GetCareContacts 2", "",
                  "| address | name | resolves today via | after the plan |", "| --- | --- | --- | --- |",
                  *(f"| `SE2321000032-{i:06d}-{k}` | VE: Vårdcentral {k} | `SE2321000032-{i:06d}` | nothing |"
                    for k in range(3)), ""]  # fmt: skip
    lines += ["### Additions", "", "<details><summary>additions</summary>", "", "```diff"]
    lines += [f"+ SE162321000156-{i:06d} {GCC2} https://tph2.liv.sjunet.org/{i}" for i in range(removals)]
    lines += ["```", "", "</details>", ""]
    return "\n".join(lines)


def best(fn: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{'removals':>9} {'chars':>10} {'parts':>6} {'split ms':>9} {'baseline ms':>12} {'ratio':>6}")
    for removals in (100, 1_000, 10_000, 30_000):
        body = plan_markdown(removals)
        parts = split_markdown(body)
        split_s = best(lambda body=body: split_markdown(body), args.repeat)
        base_s = best(lambda body=body: "\n".join(body.split("\n")), args.repeat)
        print(
            f"{removals:>9} {len(body):>10} {len(parts):>6} {split_s * 1000:>9.1f} {base_s * 1000:>12.2f} "
            f"{split_s / base_s:>6.0f}"
        )


if __name__ == "__main__":
    main()

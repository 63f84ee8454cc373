"""Telling staff before they look: alerts to a chat webhook and a Prometheus exporter.

- :mod:`.items`: the attention items (pure), each with a stable key, a severity and a
  "worse" measure; and the diff between what was reported and what holds now.
- :mod:`.evaluate`: the one place that reads the collector's database for them.
- :mod:`.store`: what was reported and what is still to deliver, in a small SQLite file.
- :mod:`.messages`: the text (Korean / English) and the Slack / JSON payloads.
- :mod:`.webhook`: where to post, and posting with timeouts and bounded retries.
- :mod:`.watch`: ``kra-status watch``; :mod:`.metrics`: ``kra-status metrics``.
- :mod:`.commands`: the two subcommands' arguments (light: imported by the CLI parser).
"""

"""What a report is published as besides the Word file: the portal page, open data, the chart."""

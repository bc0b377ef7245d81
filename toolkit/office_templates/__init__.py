"""Templates that offices bring: linted, proved to carry every piece, adopted from their own documents."""

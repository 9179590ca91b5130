"""State shared by several processes of one kind in the cluster (Redis), behind the same small
interfaces the embedded, single-process default implements in memory."""

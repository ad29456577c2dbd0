"""Benchmarks of azureai.foundry against azure.azcollection on the local Azure emulator (python -m tests.bench)."""

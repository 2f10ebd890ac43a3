"""Pure core: plain values in, plain values out; no Flask, no database."""

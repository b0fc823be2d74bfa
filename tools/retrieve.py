"""Query a gallery index built by tools/build_gallery.py: ranked images with cosine scores.

    python tools/retrieve.py INDEX "query" [--top-k 10] [--config CONFIG --weights W]

The query is a word or a phrase in Latin script. The model defaults to the one the index was
built with (its config.py and weights); another model is refused, naming both fingerprints.
"""
import argparse

from ovseg.apis.cli import add_unsafe_checkpoint_argument, parse_tool_args, run_cli
from ovseg.apis.retrieval import TextRetriever, check_query


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Search a gallery index for a word or phrase')
    parser.add_argument('index', help='index folder of tools/build_gallery.py')
    parser.add_argument('query', help='word or phrase, e.g. "hotel" or "grand hotel"')
    parser.add_argument('--top-k', type=int, default=10)
    parser.add_argument('--config', help="model config (default: the index's)")
    parser.add_argument('--weights', help="checkpoint (default: the index's)")
    parser.add_argument('--device', default='cpu')
    add_unsafe_checkpoint_argument(parser)
    return parse_tool_args(parser)


def main() -> None:
    args = parse_args()
    check_query(args.query)  # before the model loads: a bad query fails at once
    retriever = TextRetriever(args.index, args.config, args.weights, device=args.device)
    for rank, (path, score) in enumerate(retriever(args.query, args.top_k), 1):
        print(f'{rank}\t{score:.4f}\t{path}')


if __name__ == '__main__':
    run_cli(main)

"""Image tasks: jigsaw, masked prediction, counterfactual masking, and the text puzzles drawn as pictures."""

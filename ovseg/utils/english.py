"""English for generated text: SynthWorld's captions and the prompts of class names."""


def indefinite_article(word: str) -> str:
    """``'an'`` before a vowel letter, else ``'a'`` (SynthWorld's words need no more).

    Examples:
        >>> indefinite_article('arrow'), indefinite_article('star')
        ('an', 'a')
    """
    return 'an' if word[:1].lower() in 'aeiou' else 'a'

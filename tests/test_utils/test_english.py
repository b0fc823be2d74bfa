"""ovseg.utils.english: the indefinite article of generated captions and prompts."""
import pytest

from ovseg.utils.english import indefinite_article


@pytest.mark.parametrize('word,article', [('apple', 'an'), ('Umbrella', 'an'), ('cat', 'a'),
                                          ('star', 'a')])
def test_article_follows_the_first_letter(word, article):
    assert indefinite_article(word) == article

"""tools/install.sh speaks in lines: run_logged (tools/install_log.sh) sends a step's output to
the log and shows its tail only on failure. The real mmcv build (16 min) is not run here."""
import os.path as osp
import re
import subprocess

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
NOISY = ('for i in $(seq 500); do echo "setuptools warning $i"; done; '
         'echo "pip noise" >&2; exit {rc}')


def _run_logged(log, rc):
    script = (f'set -euo pipefail; source tools/install_log.sh; install_log={log}; '
              f'run_logged "noisy step" bash -c \'{NOISY.format(rc=rc)}\'; echo "[install] next"')
    return subprocess.run(['bash', '-c', script], cwd=ROOT, capture_output=True, text=True)


def test_success_is_one_line(tmp_path):
    log = tmp_path / 'install.log'
    proc = _run_logged(log, 0)
    assert proc.returncode == 0 and proc.stderr == ''
    assert proc.stdout.splitlines() == [f'[install] noisy step (log: {log})', '[install] next']
    text = log.read_text()
    assert 'setuptools warning 500' in text and 'pip noise' in text


def test_failure_shows_the_log_tail_and_stops(tmp_path):
    log = tmp_path / 'install.log'
    proc = _run_logged(log, 3)
    assert proc.returncode == 3
    assert proc.stdout.splitlines() == [f'[install] noisy step (log: {log})']  # stopped
    err = proc.stderr.splitlines()
    assert err[0] == f'[install] FAILED (exit 3): noisy step; last 40 lines of {log}:'
    assert len(err) == 41 and err[-1] == 'pip noise' and err[1] == 'setuptools warning 462'
    assert 'setuptools warning 1' in log.read_text()


def test_every_pip_call_of_install_sh_is_logged():
    with open(osp.join(ROOT, 'tools/install.sh')) as f:
        script = f.read().replace('\\\n', ' ')  # join continued lines
    calls = [line.strip() for line in script.splitlines()
             if re.search(r'"\$\{pip\[@\]\}" (install|download)', line)]
    assert calls and all(line.startswith('run_logged ') for line in calls), calls


def test_the_web_demo_requirements_are_installed_and_stamped():
    """requirements-app.txt (gradio, playwright) is installed, a change to it reinstalls, and
    Debian's chromium is installed with apt-get only where it is missing and apt is usable."""
    with open(osp.join(ROOT, 'tools/install.sh')) as f:
        script = f.read().replace('\\\n', ' ')
    with open(osp.join(ROOT, 'requirements-app.txt')) as f:
        names = {re.split(r'[<>=]', line)[0].strip() for line in f
                 if line.strip() and not line.startswith('#')}
    assert names == {'gradio', 'playwright'}
    stamp = re.search(r'stamp_key\(\) \{(.*?)\}', script, re.S).group(1)
    assert 'requirements-app.txt' in stamp
    assert re.search(r'run_logged .*install -q -r "\$root/requirements-app.txt"', script)
    chromium = re.search(r'\nif (.*?)\nfi\n', script[script.index("# Debian's chromium for"):], re.S).group(1)
    for guard in ('! command -v chromium', 'command -v apt-get', 'id -u'):
        assert guard in chromium
    assert 'apt-get install -y -qq chromium' in chromium and '|| echo' in chromium

"""pip install for the kldiv Python package, from this checkout, without PyPI:

    python3 -m venv --system-site-packages .venv        # Debian's NumPy, SciPy, pybind11 stay visible
    .venv/bin/pip install --no-build-isolation --no-index .

The compiled core (kldiv._kldiv) is the CMake project's `_kldiv` target and the `kldiv` command its
`kldiv_cli` target: this builds both with CMake and packages them with the pure-Python modules of
python/kldiv, the command as kldiv/bin/kldiv, which the `kldiv` console script and `python -m kldiv`
run (python/kldiv/__main__.py).

Everything is built under one folder of its own, `build-pip/` in the checkout (or
KLDIV_PIP_BUILD_DIR): CMake's build in its cmake/, setuptools' in its setuptools/ and the package's
metadata beside them, so that CMake's developer build in `build/` is never touched. A second install
from the same checkout rebuilds only what changed; two at once take turns (a lock in that folder).

The version is the CMake project's (`project(kldiv VERSION ...)` in CMakeLists.txt), the one source
of kldiv.__version__ (the compiled module's, from kldiv/version.hpp) and of `kldiv --version`.
"""
import fcntl
import os
import re
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.abspath(os.environ.get("KLDIV_PIP_BUILD_DIR") or os.path.join(ROOT, "build-pip"))


def version():
    with open(os.path.join(ROOT, "CMakeLists.txt"), encoding="utf-8") as f:
        return re.search(r"project\(kldiv VERSION ([0-9.]+)", f.read()).group(1)


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build = os.path.join(BUILD, "cmake")
        options = ["-DCMAKE_BUILD_TYPE=Release", f"-DPython3_EXECUTABLE={sys.executable}", "-DKLDIV_BUILD_PYTHON=ON",
                   "-DKLDIV_BUILD_CLI=ON"]
        options += [f"-DKLDIV_{part}=OFF" for part in ("BUILD_TESTS", "BUILD_EXAMPLES", "BUILD_BENCH", "INSTALL")]
        subprocess.run(["cmake", "-S", ROOT, "-B", build, *options], check=True)
        # _kldiv, and kldiv_python_cli: the command, copied into the build tree's package as kldiv/bin/kldiv.
        subprocess.run(["cmake", "--build", build, "--target", "_kldiv", "kldiv_python_cli", "--parallel",
                        str(os.cpu_count() or 1)], check=True)
        built = os.path.join(build, "python", "kldiv")
        module = next(name for name in os.listdir(built) if name.startswith("_kldiv") and name.endswith(".so"))
        target = self.get_ext_fullpath(ext.name)
        os.makedirs(os.path.join(os.path.dirname(target), "bin"), exist_ok=True)
        shutil.copyfile(os.path.join(built, module), target)
        command = os.path.join(os.path.dirname(target), "bin", "kldiv")
        shutil.copyfile(os.path.join(built, "bin", "kldiv"), command)
        os.chmod(command, 0o755)


def hold_build_folder():
    """The build folder for this process alone: a second pip build from this checkout waits."""
    os.makedirs(BUILD, exist_ok=True)
    lock = open(os.path.join(BUILD, ".lock"), "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"setup.py: waiting for another build in {BUILD}", file=sys.stderr, flush=True)
        fcntl.flock(lock, fcntl.LOCK_EX)
    return lock


_build_folder_lock = hold_build_folder()
setup(
    name="kldiv",
    version=version(),
    description="Kullback-Leibler divergence and the measures around it, accurate and fast",
    license="MIT",
    license_files=["LICENSE"],
    classifiers=[
        "License :: OSI Approved :: MIT License",
        "Programming Language :: Python :: 3",
        "Programming Language :: C++",
        "Operating System :: POSIX :: Linux",
        "Intended Audience :: Science/Research",
        "Topic :: Scientific/Engineering :: Mathematics",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
    packages=["kldiv"],
    package_dir={"": "python"},
    package_data={"kldiv": ["py.typed", "*.pyi"]},
    ext_modules=[Extension("kldiv._kldiv", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    entry_points={"console_scripts": ["kldiv = kldiv.__main__:main"]},
    options={"build": {"build_base": os.path.join(BUILD, "setuptools")}, "egg_info": {"egg_base": BUILD}},
    python_requires=">=3.9",
    install_requires=["numpy"],
)

"""pip install for the kldiv Python package, from this checkout, without PyPI:

    python3 -m venv --system-site-packages .venv        # Debian's NumPy, SciPy, pybind11 stay visible
    .venv/bin/pip install --no-build-isolation --no-index .

The compiled core (kldiv._kldiv) is the CMake project's `_kldiv` target: this builds it with CMake
(in KLDIV_PIP_BUILD_DIR if set, else setuptools' temporary directory) and packages it with the
pure-Python modules of python/kldiv.
"""
import os
import re
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = os.path.dirname(os.path.abspath(__file__))


def version():
    with open(os.path.join(ROOT, "CMakeLists.txt"), encoding="utf-8") as f:
        return re.search(r"project\(kldiv VERSION ([0-9.]+)", f.read()).group(1)


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build = os.environ.get("KLDIV_PIP_BUILD_DIR") or os.path.join(os.path.abspath(self.build_temp), "cmake")
        options = ["-DCMAKE_BUILD_TYPE=Release", f"-DPython3_EXECUTABLE={sys.executable}", "-DKLDIV_BUILD_PYTHON=ON"]
        options += [f"-DKLDIV_{part}=OFF" for part in ("BUILD_TESTS", "BUILD_CLI", "BUILD_EXAMPLES", "BUILD_BENCH",
                                                        "INSTALL")]
        subprocess.run(["cmake", "-S", ROOT, "-B", build, *options], check=True)
        subprocess.run(["cmake", "--build", build, "--target", "_kldiv", "--parallel", str(os.cpu_count() or 1)],
                       check=True)
        built = os.path.join(build, "python", "kldiv")
        module = next(name for name in os.listdir(built) if name.startswith("_kldiv") and name.endswith(".so"))
        target = self.get_ext_fullpath(ext.name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(os.path.join(built, module), target)


setup(
    name="kldiv",
    version=version(),
    description="Kullback-Leibler divergence and the measures around it, accurate and fast",
    packages=["kldiv"],
    package_dir={"": "python"},
    package_data={"kldiv": ["py.typed", "*.pyi"]},
    ext_modules=[Extension("kldiv._kldiv", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    python_requires=">=3.9",
    install_requires=["numpy"],
)

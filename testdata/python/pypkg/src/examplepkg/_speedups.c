/* A stub C extension: examplepkg._speedups.escape(s) returns s unchanged. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *
escape(PyObject *self, PyObject *args)
{
    PyObject *s;
    if (!PyArg_ParseTuple(args, "U", &s)) {
        return NULL;
    }
    Py_INCREF(s);
    return s;
}

static PyMethodDef methods[] = {
    {"escape", escape, METH_VARARGS, "Return the string unchanged."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_speedups", NULL, -1, methods,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    return PyModule_Create(&module);
}

package bandit

// checkNames names every bandit check by its ID. bandit's JSON gives the
// blacklist checks (B3xx, B4xx) only the generic test_name "blacklist", so
// rule names come from here: bandit 1.6.2's list (`bandit -h`) plus the
// checks added up to 1.9 (B113, B202, B415, B508, B509, B612-B615, B704).
var checkNames = map[string]string{
	"B101": "assert_used", "B102": "exec_used", "B103": "set_bad_file_permissions",
	"B104": "hardcoded_bind_all_interfaces", "B105": "hardcoded_password_string",
	"B106": "hardcoded_password_funcarg", "B107": "hardcoded_password_default",
	"B108": "hardcoded_tmp_directory", "B110": "try_except_pass", "B112": "try_except_continue",
	"B113": "request_without_timeout", "B201": "flask_debug_true", "B202": "tarfile_unsafe_members",
	"B301": "pickle", "B302": "marshal", "B303": "md5", "B304": "ciphers", "B305": "cipher_modes",
	"B306": "mktemp_q", "B307": "eval", "B308": "mark_safe", "B309": "httpsconnection",
	"B310": "urllib_urlopen", "B311": "random", "B312": "telnetlib",
	"B313": "xml_bad_cElementTree", "B314": "xml_bad_ElementTree", "B315": "xml_bad_expatreader",
	"B316": "xml_bad_expatbuilder", "B317": "xml_bad_sax", "B318": "xml_bad_minidom",
	"B319": "xml_bad_pulldom", "B320": "xml_bad_etree", "B321": "ftplib", "B322": "input",
	"B323": "unverified_context", "B324": "hashlib_new_insecure_functions", "B325": "tempnam",
	"B401": "import_telnetlib", "B402": "import_ftplib", "B403": "import_pickle",
	"B404": "import_subprocess", "B405": "import_xml_etree", "B406": "import_xml_sax",
	"B407": "import_xml_expat", "B408": "import_xml_minidom", "B409": "import_xml_pulldom",
	"B410": "import_lxml", "B411": "import_xmlrpclib", "B412": "import_httpoxy",
	"B413": "import_pycrypto", "B415": "import_pyghmi",
	"B501": "request_with_no_cert_validation", "B502": "ssl_with_bad_version",
	"B503": "ssl_with_bad_defaults", "B504": "ssl_with_no_version", "B505": "weak_cryptographic_key",
	"B506": "yaml_load", "B507": "ssh_no_host_key_verification", "B508": "snmp_insecure_version_check",
	"B509": "snmp_crypto_check", "B601": "paramiko_calls",
	"B602": "subprocess_popen_with_shell_equals_true", "B603": "subprocess_without_shell_equals_true",
	"B604": "any_other_function_with_shell_equals_true", "B605": "start_process_with_a_shell",
	"B606": "start_process_with_no_shell", "B607": "start_process_with_partial_path",
	"B608": "hardcoded_sql_expressions", "B609": "linux_commands_wildcard_injection",
	"B610": "django_extra_used", "B611": "django_rawsql_used", "B612": "logging_config_insecure_listen",
	"B613": "trojansource", "B614": "pytorch_load", "B615": "huggingface_unsafe_download",
	"B701": "jinja2_autoescape_false", "B702": "use_of_mako_templates", "B703": "django_mark_safe",
	"B704": "markupsafe_markup_xss",
}

// checkCWE is the CWE of each check, used when bandit's output has no
// issue_cwe (1.6.2 never has). The numbers are the ones bandit itself
// attaches since it gained issue_cwe (its plugins and blacklists at 1.9; for
// B309, B320, B325 and B410, which later versions dropped, at 1.7.4). B322
// (Python 2's input, gone before bandit had CWEs) is ours: CWE-94, code
// injection, which is what that check is about.
var checkCWE = map[string]int{
	"B101": 703, "B102": 78, "B103": 732, "B104": 605, "B105": 259, "B106": 259, "B107": 259,
	"B108": 377, "B110": 703, "B112": 703, "B113": 400, "B201": 94, "B202": 22,
	"B301": 502, "B302": 502, "B303": 327, "B304": 327, "B305": 327, "B306": 377, "B307": 78,
	"B308": 79, "B309": 319, "B310": 22, "B311": 330, "B312": 319, "B313": 20, "B314": 20,
	"B315": 20, "B316": 20, "B317": 20, "B318": 20, "B319": 20, "B320": 20, "B321": 319,
	"B322": 94, "B323": 295, "B324": 327, "B325": 377,
	"B401": 319, "B402": 319, "B403": 502, "B404": 78, "B405": 20, "B406": 20, "B407": 20,
	"B408": 20, "B409": 20, "B410": 20, "B411": 20, "B412": 284, "B413": 327, "B415": 319,
	"B501": 295, "B502": 327, "B503": 327, "B504": 327, "B505": 326, "B506": 20, "B507": 295,
	"B508": 319, "B509": 319, "B601": 78, "B602": 78, "B603": 78, "B604": 78, "B605": 78,
	"B606": 78, "B607": 78, "B608": 89, "B609": 155, "B610": 89, "B611": 89, "B612": 94,
	"B613": 838, "B614": 502, "B615": 494, "B701": 94, "B702": 80, "B703": 80, "B704": 79,
}

;;; rpcc.el --- rpcc diagnostics in compilation-mode, and a check of the unsaved buffer -*- lexical-binding: t -*-

;; Load it (add-to-list 'load-path "/path/to/rpcc/editors/emacs") (require 'rpcc), then:
;;   M-x compile RET rpcc --check tasks.rpc   (or make, ninja...): rpcc's diagnostics are errors, warnings and
;;                                             notes (info) that next-error visits;
;;   M-x rpcc-check                            checks the current buffer as it is, saved or not
;;                                             (rpcc --check --stdin-filename), in the *rpcc* buffer.
;; .rpc files open in `rpcc-mode', a small mode for comments and `compile-command'.

;;; Code:

(require 'compile)

(defgroup rpcc nil "The rpcc compiler." :group 'tools)

(defcustom rpcc-executable "rpcc"
  "The rpcc program."
  :type 'string)

(defcustom rpcc-check-arguments nil
  "Extra arguments of `rpcc-check', e.g. (\"-I\" \"shared\")."
  :type '(repeat string))

;; path:line:col: error|warning|note: message. The path may hold spaces but no colon; columns start at 1.
(defconst rpcc-compilation-regexp
  '(rpcc "^\\([^:\n]+\\):\\([0-9]+\\):\\([0-9]+\\): \\(?:error\\|\\(warning\\)\\|\\(note\\)\\): "
         1 2 3 (4 . 5))
  "The `compilation-error-regexp-alist-alist' entry for rpcc's diagnostics.")

(setf (alist-get 'rpcc compilation-error-regexp-alist-alist) (cdr rpcc-compilation-regexp))
(add-to-list 'compilation-error-regexp-alist 'rpcc)

(defun rpcc-check ()
  "Check the current buffer with `rpcc --check', saved or not; show the diagnostics in *rpcc*.
The buffer is reported under its file name relative to `default-directory', and its imports resolve from that
file's directory. Returns rpcc's exit status: 0 clean, 1 errors, 2 usage or I/O errors."
  (interactive)
  (let* ((name (if buffer-file-name (file-relative-name buffer-file-name) (buffer-name)))
         (directory default-directory)
         (output (get-buffer-create "*rpcc*"))
         (arguments (append (list "--check" "--color=never") rpcc-check-arguments (list "--stdin-filename" name)))
         (status (progn
                   (with-current-buffer output
                     (let ((inhibit-read-only t)) (erase-buffer))
                     (setq default-directory directory)
                     ;; A header line, as M-x compile writes: next-error looks for messages after the first line.
                     (insert (mapconcat #'shell-quote-argument (cons rpcc-executable arguments) " ") "\n"))
                   (apply #'call-process-region (point-min) (point-max) rpcc-executable nil output nil
                          arguments))))
    (with-current-buffer output
      (compilation-mode)
      (setq-local compilation-search-path (list directory))
      (goto-char (point-min)))
    (when (called-interactively-p 'interactive)
      (if (eq status 0) (message "rpcc: %s is clean" name) (display-buffer output)))
    status))

;;;###autoload
(define-derived-mode rpcc-mode prog-mode "rpcc"
  "Major mode for rpcc interface definitions (.rpc)."
  (setq-local comment-start "// ")
  (setq-local comment-start-skip "//+\\s-*")
  (modify-syntax-entry ?/ ". 12" rpcc-mode-syntax-table)
  (modify-syntax-entry ?\n ">" rpcc-mode-syntax-table)
  (modify-syntax-entry ?\" "\"" rpcc-mode-syntax-table)
  (when buffer-file-name
    (setq-local compile-command
                (concat rpcc-executable " --check --color=never "
                        (shell-quote-argument (file-relative-name buffer-file-name))))))

;;;###autoload
(add-to-list 'auto-mode-alist '("\\.rpc\\'" . rpcc-mode))

(provide 'rpcc)
;;; rpcc.el ends here

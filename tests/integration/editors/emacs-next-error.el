;;; Helper of run-editors.sh: visits every message of a compilation-mode buffer with `next-error', as a user
;;; would, and writes where each visit lands: "ABSOLUTE-PATH|LINE|COLUMN|SEVERITY" (compilation types 2, 1, 0 as
;;; error, warning, note), one a line.
;;;   emacs --batch -Q -l rpcc.el -l emacs-next-error.el --eval '(rpcc-test-file "OUTPUT" "RESULT")'
;;;   emacs --batch -Q -l rpcc.el -l emacs-next-error.el --eval '(rpcc-test-check "FILE.rpc" "FROM" "TO" "RESULT")'
(require 'compile)
(setq compilation-skip-threshold 0) ; visit notes too (the default, 1, skips them in next-error)

(defun rpcc-test--visit-all (buffer result)
  (let ((lines '()) (done nil))
    (with-current-buffer buffer (goto-char (point-min)))
    (setq next-error-last-buffer buffer)
    (while (not done)
      (condition-case nil
          (progn
            (next-error)
            ;; Where next-error went: the marker it set in the visited file's buffer.
            (let* ((message (with-current-buffer buffer
                              (get-text-property compilation-current-error 'compilation-message)))
                   (type (compilation--message->type message))
                   (locus (compilation--loc->marker (compilation--message->loc message))))
              (with-current-buffer (marker-buffer locus)
                (goto-char locus)
                (push (format "%s|%d|%d|%s" (file-truename buffer-file-name) (line-number-at-pos)
                              (1+ (current-column)) (pcase type (2 "error") (1 "warning") (0 "note") (_ type)))
                      lines))))
        (user-error (setq done t))))
    (with-temp-file result (dolist (line (nreverse lines)) (insert line "\n")))))

(defun rpcc-test-file (output result)
  "Parse the rpcc OUTPUT file in compilation-mode from the current directory; write the visits to RESULT."
  (let ((buffer (get-buffer-create "*rpcc-output*")))
    (with-current-buffer buffer
      (insert-file-contents output)
      ;; The first line of an M-x compile buffer is a header: next-error starts after it.
      (insert "-*- mode: compilation -*-\n")
      (compilation-mode))
    (rpcc-test--visit-all buffer result)))

(defun rpcc-test-check (file from to result)
  "Visit FILE, replace FROM with TO without saving, run `rpcc-check', write its visits to RESULT."
  (with-current-buffer (find-file-noselect file)
    (goto-char (point-min))
    (search-forward from)
    (replace-match to t t)
    (rpcc-check)
    (rpcc-test--visit-all (get-buffer "*rpcc*") result)))

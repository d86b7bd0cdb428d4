#!/usr/bin/env bash
# The steps of Fleetform's CI templates (github-actions.yml, gitlab-ci.yml), in one place so the
# templates and their test (CiTemplatesTest) run the very same commands in the same order.
#
#   fleetform-ci.sh pr           on a pull/merge request: validate, pr-plan (comment parts, labels, saved plan)
#   fleetform-ci.sh merge        on the main branch after a merge: apply exactly the reviewed plan when its
#                                commit is still the reviewed ref's head; otherwise re-plan and stop for review
#   fleetform-ci.sh merge-github find the merged pull request of MAIN_REF and its saved plan (the newest
#                                fleetform-plan-N artifact) through GitHub's REST API, then merge
#   fleetform-ci.sh merge-gitlab the same for GitLab: the merged merge request and its plan job's artifacts
#   fleetform-ci.sh post-github  create or update the pull request's comments by their markers, set labels
#   fleetform-ci.sh post-gitlab  the same for a GitLab merge request
#
# Inputs (environment):
#   FLEETFORM       the command (default: fleetform)
#   FLEET_REPO      the repository to read commits from (default: . , the CI checkout; never its files)
#   FLEET_PATH      the fleet's folder inside the repository (default: its root)
#   FLEET_WORK_DIR  the local folder for the state and providers' files (default: .fleetform-work)
#   FLEETFORM_STATE_ARGS  state options for every command that reads the state, e.g. "--state /srv/ff/arena.json"
#   OUT_DIR         where results go (default: fleetform-out): comment.md, comment-2.md…, labels.txt, plan.json
#   POLICY_PATH     deny/warn rules (.policy files) every plan is checked against, read from the CI checkout of
#                   the base branch, never from the change (default: none)
#   POLICY_REF      read POLICY_PATH from this commit instead of the checkout (GitLab checks out the change
#                   itself in merge request pipelines: POLICY_REF=origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME)
#   GIT_REMOTE      the remote pull/merge request refs are fetched from (default: origin)
#   pr:     BASE_REF (the target branch, e.g. origin/main), HEAD_REF (the change's commit), UNTRUSTED=true for
#           changes from forks (adds --no-user-code: the fleet's Groovy functions are refused, never run)
#   merge:  MAIN_REF (default HEAD), PLAN_FILE (the reviewed plan.json, if CI found it), REVIEWED_REF (the
#           pull request's head ref, e.g. refs/pull/7/head), APPROVE_STAGES (space-separated manual stages)
#   merge-github: GH_TOKEN (actions: read, pull-requests: read), GITHUB_REPOSITORY, GITHUB_API_URL (default
#           https://api.github.com), ARTIFACT_PREFIX (default fleetform-plan-, the pr job's artifact name + N)
#   merge-gitlab: GITLAB_TOKEN (read_api), CI_API_V4_URL, CI_PROJECT_ID, PLAN_JOB (default fleetform:plan)
# Exit: 0 done; 1 failed or stopped for review; pr: the comment is written even when planning fails.
set -uo pipefail

FLEETFORM=${FLEETFORM:-fleetform}
FLEET_REPO=${FLEET_REPO:-.}
FLEET_PATH=${FLEET_PATH:-}
FLEET_WORK_DIR=${FLEET_WORK_DIR:-.fleetform-work}
OUT_DIR=${OUT_DIR:-fleetform-out}
GIT_REMOTE=${GIT_REMOTE:-origin}
read -r -a STATE_ARGS <<<"${FLEETFORM_STATE_ARGS:-}"
POLICY_ARGS=()
LABELS=(fleetform:destroys fleetform:replaces fleetform:no-changes fleetform:needs-approval fleetform:policy-denied)

# --policy for POLICY_PATH: from the checkout, or from POLICY_REF's tree (git archive, nothing checked out).
policy_args() {
  [ -n "${POLICY_PATH:-}" ] || return 0
  if [ -z "${POLICY_REF:-}" ]; then
    POLICY_ARGS=(--policy "$POLICY_PATH")
    return 0
  fi
  local into="$FLEET_WORK_DIR/policy-of-ref"
  rm -rf "$into" && mkdir -p "$into" || return 1
  git archive --format=tar "$POLICY_REF" -- "$POLICY_PATH" | tar -x -C "$into" || {
    step "cannot read $POLICY_PATH from $POLICY_REF"; return 1; }
  POLICY_ARGS=(--policy "$into/$POLICY_PATH")
}

source_args() { # --git/--path for a ref
  local args=(--git "$FLEET_REPO" --ref "$1")
  [ -n "$FLEET_PATH" ] && args+=(--path "$FLEET_PATH")
  printf '%s\n' "${args[@]}"
}

step() { echo "== fleetform-ci: $*" >&2; }

pr() {
  : "${BASE_REF:?BASE_REF is the target branch}" "${HEAD_REF:?HEAD_REF is the commit of the change}"
  mkdir -p "$OUT_DIR" "$FLEET_WORK_DIR"
  rm -f "$OUT_DIR"/comment*.md "$OUT_DIR"/labels.txt "$OUT_DIR"/plan.json
  local trust=()
  [ "${UNTRUSTED:-false}" = true ] && trust=(--no-user-code)
  local path=()
  [ -n "$FLEET_PATH" ] && path=(--path "$FLEET_PATH")
  mapfile -t src < <(source_args "$HEAD_REF")
  policy_args || { failure_comment "the policy could not be read" /dev/null; return 1; }

  step "validate $HEAD_REF"
  # The policy too (validate --policy): a broken rule is reported at its file:line:col before anything is planned.
  if ! "$FLEETFORM" validate "$FLEET_WORK_DIR" "${src[@]}" "${trust[@]}" "${POLICY_ARGS[@]}" >"$OUT_DIR/validate.txt" \
    2>&1; then
    cat "$OUT_DIR/validate.txt" >&2
    failure_comment "the fleet at \`$HEAD_REF\`${POLICY_ARGS:+ or the policy} is not valid" "$OUT_DIR/validate.txt"
    return 1
  fi

  step "pr-plan $BASE_REF..$HEAD_REF"
  local rc=0
  "$FLEETFORM" pr-plan "$FLEET_WORK_DIR" --git "$FLEET_REPO" --base "$BASE_REF" --head "$HEAD_REF" "${path[@]}" \
    "${trust[@]}" "${STATE_ARGS[@]}" "${POLICY_ARGS[@]}" -out "$OUT_DIR/comment.md" --labels-file "$OUT_DIR/labels.txt" \
    --plan-out "$OUT_DIR/plan.json" --detailed-exitcode >"$OUT_DIR/pr-plan.txt" 2>&1 || rc=$?
  cat "$OUT_DIR/pr-plan.txt" >&2
  case $rc in
    0 | 2) return 0 ;;
    *)
      # pr-plan writes a comment saying why a plan failed; if it could not even start, say so here.
      [ -f "$OUT_DIR/comment.md" ] || failure_comment "pr-plan failed (exit $rc)" "$OUT_DIR/pr-plan.txt"
      return 1 ;;
  esac
}

# A comment for a run that produced none: the same marker as pr-plan's first part, the output as code.
failure_comment() {
  { printf '%s\n' "<!-- fleetform:pr-plan path=$(marker_path) part=1 -->"
    printf '### Fleetform: %s\n\n```\n' "$1"
    head -c 60000 "$2" | sed 's/```/` ` `/g'
    printf '```\n'; } >"$OUT_DIR/comment.md"
}

# The fleet folder as pr-plan's marker spells it.
marker_path() {
  local p=${FLEET_PATH:-}
  p=${p#./}; p=${p%/}
  [ -z "$p" ] && p=.
  printf '%s' "$p" | tr -c 'A-Za-z0-9._/\n-' '_' | tr 'A-Z' 'a-z'
}

merge() {
  local main=${MAIN_REF:-HEAD}
  mkdir -p "$OUT_DIR" "$FLEET_WORK_DIR"
  mapfile -t src < <(source_args "$main")
  local stages=()
  for s in ${APPROVE_STAGES:-}; do stages+=(--approve-stage "$s"); done
  policy_args || return 1

  if [ -n "${PLAN_FILE:-}" ] && [ -f "$PLAN_FILE" ] && [ -n "${REVIEWED_REF:-}" ]; then
    step "apply the reviewed plan $PLAN_FILE (its commit must still be $REVIEWED_REF's head)"
    local rc=0
    "$FLEETFORM" apply "$FLEET_WORK_DIR" "${src[@]}" "${STATE_ARGS[@]}" "${POLICY_ARGS[@]}" --plan "$PLAN_FILE" \
      --require-ref "$REVIEWED_REF" "${stages[@]}" || rc=$?
    case $rc in
      0) step "applied exactly the reviewed plan"; return 0 ;;
      3) step "the reviewed plan was refused (the change or the state moved on, or the policy denies it):" \
           "re-planning for review" ;;
      *) step "apply failed (exit $rc); the state records what finished: run this job again to continue"; return 1 ;;
    esac
  else
    step "no reviewed plan for this commit: re-planning for review"
  fi

  local rc=0
  "$FLEETFORM" plan "$FLEET_WORK_DIR" "${src[@]}" "${STATE_ARGS[@]}" "${POLICY_ARGS[@]}" -out "$OUT_DIR/replan.json" \
    --markdown "$OUT_DIR/replan.md" --detailed-exitcode || rc=$?
  case $rc in
    0) step "nothing to apply: the fleet already matches $main"; return 0 ;;
    2) step "stopped: $main has changes nobody reviewed as a plan (see $OUT_DIR/replan.md); review them and apply" \
         "$OUT_DIR/replan.json, or open a pull request"; return 1 ;;
    *) step "stopped: planning $main failed (exit $rc; a policy denial or an error, see above)"; return 1 ;;
  esac
}

# A downloaded artifact (a zip) unpacked into a fresh folder; the reviewed plan is its plan.json.
unpack_plan() { # zip folder
  rm -rf "$2" && mkdir -p "$2" || return 1
  unzip -q -o "$1" -d "$2" || return 1
  find "$2" -name plan.json -type f | sort | head -1
}

merge_github() {
  : "${GITHUB_REPOSITORY:?}" "${GH_TOKEN:?GH_TOKEN needs actions: read and pull-requests: read}"
  local main=${MAIN_REF:-HEAD} api=${GITHUB_API_URL:-https://api.github.com}
  local sha
  sha=$(git rev-parse "$main^{commit}") || return 1
  local auth=(-H "Authorization: Bearer $GH_TOKEN" -H "Accept: application/vnd.github+json"
    -H "X-GitHub-Api-Version: 2022-11-28")
  local pulls pr
  pulls=$(curl -fsS "${auth[@]}" "$api/repos/$GITHUB_REPOSITORY/commits/$sha/pulls") || return 1
  pr=$(jq -r '[.[] | select(.merged_at != null)][0].number // empty' <<<"$pulls") || return 1
  if [ -z "$pr" ]; then
    step "no merged pull request has $sha"
  else
    step "$sha merged pull request #$pr"
    git fetch -q --no-tags "$GIT_REMOTE" "+refs/pull/$pr/head:refs/pull/$pr/head" || return 1
    local artifacts url
    artifacts=$(curl -fsS "${auth[@]}" \
      "$api/repos/$GITHUB_REPOSITORY/actions/artifacts?name=${ARTIFACT_PREFIX:-fleetform-plan-}$pr&per_page=100") ||
      return 1
    # The newest unexpired one: the last pr run's. An older plan would only be refused by --require-ref.
    url=$(jq -r '[.artifacts[] | select(.expired | not)] | sort_by(.created_at) | last | .archive_download_url // empty' \
      <<<"$artifacts") || return 1
    if [ -n "$url" ]; then
      mkdir -p "$OUT_DIR"
      # The API answers with a redirect to short-lived storage; curl drops the token when the host changes.
      curl -fsSL "${auth[@]}" -o "$OUT_DIR/reviewed.zip" "$url" || return 1
      PLAN_FILE=$(unpack_plan "$OUT_DIR/reviewed.zip" "$OUT_DIR/reviewed") || return 1
      export PLAN_FILE REVIEWED_REF="refs/pull/$pr/head"
      [ -n "$PLAN_FILE" ] || step "the artifact of pull request #$pr holds no plan.json (its plan failed)"
    else
      step "pull request #$pr has no saved plan (no unexpired artifact ${ARTIFACT_PREFIX:-fleetform-plan-}$pr)"
    fi
  fi
  MAIN_REF=$sha merge
}

merge_gitlab() {
  : "${GITLAB_TOKEN:?}" "${CI_API_V4_URL:?}" "${CI_PROJECT_ID:?}"
  local main=${MAIN_REF:-HEAD}
  local sha
  sha=$(git rev-parse "$main^{commit}") || return 1
  local auth=(-H "PRIVATE-TOKEN: $GITLAB_TOKEN")
  local api="$CI_API_V4_URL/projects/$CI_PROJECT_ID"
  local mrs mr
  mrs=$(curl -fsS "${auth[@]}" "$api/repository/commits/$sha/merge_requests") || return 1
  mr=$(jq -r '[.[] | select(.state == "merged")][0].iid // empty' <<<"$mrs") || return 1
  if [ -z "$mr" ]; then
    step "no merged merge request has $sha"
  else
    step "$sha merged merge request !$mr"
    git fetch -q --no-tags "$GIT_REMOTE" "+refs/merge-requests/$mr/head:refs/merge-requests/$mr/head" || return 1
    local job ref
    job=$(jq -rn --arg j "${PLAN_JOB:-fleetform:plan}" '$j | @uri')
    ref=$(jq -rn --arg r "refs/merge-requests/$mr/head" '$r | @uri')
    mkdir -p "$OUT_DIR"
    local code
    code=$(curl -sS -L "${auth[@]}" -o "$OUT_DIR/reviewed.zip" -w '%{http_code}' \
      "$api/jobs/artifacts/$ref/download?job=$job") || return 1
    case $code in
      200)
        PLAN_FILE=$(unpack_plan "$OUT_DIR/reviewed.zip" "$OUT_DIR/reviewed") || return 1
        export PLAN_FILE REVIEWED_REF="refs/merge-requests/$mr/head"
        [ -n "$PLAN_FILE" ] || step "the artifacts of merge request !$mr hold no plan.json (its plan failed)" ;;
      404) step "merge request !$mr has no saved plan (no successful ${PLAN_JOB:-fleetform:plan} job with artifacts)" ;;
      *) step "downloading the artifacts of merge request !$mr failed (HTTP $code)"; return 1 ;;
    esac
  fi
  MAIN_REF=$sha merge
}

# Comment parts in order: comment.md, comment-2.md, …
parts() {
  [ -f "$OUT_DIR/comment.md" ] && echo "$OUT_DIR/comment.md"
  local k=2
  while [ -f "$OUT_DIR/comment-$k.md" ]; do echo "$OUT_DIR/comment-$k.md"; k=$((k + 1)); done
}

marker_of() { head -1 "$1"; }

post_github() { # needs curl, jq, GH_TOKEN (pull-requests: write), GITHUB_REPOSITORY, PR; GITHUB_API_URL
  : "${PR:?PR is the pull request number}" "${GITHUB_REPOSITORY:?}" "${GH_TOKEN:?GH_TOKEN needs pull-requests: write}"
  [ -n "$(parts)" ] || { step "no comment to post"; return 0; }
  local base=${GITHUB_API_URL:-https://api.github.com}/repos/$GITHUB_REPOSITORY/issues
  local auth=(-H "Authorization: Bearer $GH_TOKEN" -H "Accept: application/vnd.github+json"
    -H "X-GitHub-Api-Version: 2022-11-28")
  # Every comment of the pull request, page by page (100 a page), as one {id, body} a line.
  local existing="" page=1 batch
  while :; do
    batch=$(curl -fsS "${auth[@]}" "$base/$PR/comments?per_page=100&page=$page") || return 1
    [ "$(jq 'length' <<<"$batch")" -gt 0 ] || break
    existing+=$(jq -c '.[] | {id, body}' <<<"$batch")$'\n'
    page=$((page + 1))
  done
  local wanted=() file marker id
  while read -r file; do
    marker=$(marker_of "$file")
    wanted+=("$marker")
    id=$(jq -r --arg m "$marker" 'select(.body | startswith($m)) | .id' <<<"$existing" | head -1)
    if [ -n "$id" ]; then
      step "updating comment $id ($marker)"
      jq -Rs '{body: .}' <"$file" | curl -fsS "${auth[@]}" -X PATCH "$base/comments/$id" --data-binary @- \
        >/dev/null || return 1
    else
      step "adding a comment ($marker)"
      jq -Rs '{body: .}' <"$file" | curl -fsS "${auth[@]}" -X POST "$base/$PR/comments" --data-binary @- \
        >/dev/null || return 1
    fi
  done < <(parts)
  # Parts a longer plan needed earlier: removed, so the pull request never shows an outdated one.
  local prefix="${wanted[0]%part=*}part="
  jq -r --arg p "$prefix" 'select(.body | startswith($p)) | "\(.id) \(.body | split("\n")[0])"' <<<"$existing" |
    while read -r id marker; do
      if ! printf '%s\n' "${wanted[@]}" | grep -qxF "$marker"; then
        step "deleting outdated comment $id ($marker)"
        curl -fsS "${auth[@]}" -X DELETE "$base/comments/$id" >/dev/null || exit 1
      fi
    done || return 1
  if [ -f "$OUT_DIR/labels.txt" ]; then
    local label add
    add=$(jq -Rn '{labels: [inputs | select(length > 0)]}' <"$OUT_DIR/labels.txt")
    if [ "$(jq '.labels | length' <<<"$add")" -gt 0 ]; then
      curl -fsS "${auth[@]}" -X POST "$base/$PR/labels" --data-binary "$add" >/dev/null || return 1
    fi
    for label in "${LABELS[@]}"; do
      grep -qxF "$label" "$OUT_DIR/labels.txt" && continue
      # 404 when the pull request does not have it: nothing to remove.
      curl -sS -o /dev/null "${auth[@]}" -X DELETE "$base/$PR/labels/$(jq -rn --arg l "$label" '$l | @uri')" ||
        return 1
    done
  fi
}

post_gitlab() { # needs curl, jq, GITLAB_TOKEN (api scope), CI_API_V4_URL, CI_PROJECT_ID, CI_MERGE_REQUEST_IID
  : "${GITLAB_TOKEN:?}" "${CI_API_V4_URL:?}" "${CI_PROJECT_ID:?}" "${CI_MERGE_REQUEST_IID:?}"
  [ -n "$(parts)" ] || { step "no comment to post"; return 0; }
  local api="$CI_API_V4_URL/projects/$CI_PROJECT_ID/merge_requests/$CI_MERGE_REQUEST_IID"
  local auth=(-H "PRIVATE-TOKEN: $GITLAB_TOKEN")
  local existing
  existing=$(curl -fsS "${auth[@]}" "$api/notes?per_page=100" | jq -c '.[] | {id, body}') || return 1
  local file marker id wanted=()
  while read -r file; do
    marker=$(marker_of "$file")
    wanted+=("$marker")
    id=$(jq -r --arg m "$marker" 'select(.body | startswith($m)) | .id' <<<"$existing" | head -1)
    if [ -n "$id" ]; then
      curl -fsS "${auth[@]}" -X PUT "$api/notes/$id" --data-urlencode "body@$file" >/dev/null || return 1
    else
      curl -fsS "${auth[@]}" -X POST "$api/notes" --data-urlencode "body@$file" >/dev/null || return 1
    fi
  done < <(parts)
  local prefix="${wanted[0]%part=*}part="
  jq -r --arg p "$prefix" 'select(.body | startswith($p)) | "\(.id) \(.body | split("\n")[0])"' <<<"$existing" |
    while read -r id marker; do
      printf '%s\n' "${wanted[@]}" | grep -qxF "$marker" || curl -fsS "${auth[@]}" -X DELETE "$api/notes/$id" >/dev/null
    done
  if [ -f "$OUT_DIR/labels.txt" ]; then
    local add remove
    add=$(paste -sd, "$OUT_DIR/labels.txt")
    remove=$(printf '%s\n' "${LABELS[@]}" |
      grep -vxF -f "$OUT_DIR/labels.txt" | paste -sd,)
    curl -fsS "${auth[@]}" -X PUT "$api" --data-urlencode "add_labels=$add" --data-urlencode "remove_labels=$remove" \
      >/dev/null || return 1
  fi
}

case "${1:-}" in
  pr) pr ;;
  merge) merge ;;
  merge-github) merge_github ;;
  merge-gitlab) merge_gitlab ;;
  post-github) post_github ;;
  post-gitlab) post_gitlab ;;
  *) echo "usage: $0 pr|merge|merge-github|merge-gitlab|post-github|post-gitlab (see the comment at the top)" >&2
     exit 64 ;;
esac

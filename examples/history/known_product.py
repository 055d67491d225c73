"""Sample tickets about using the product: categories the bundled intents cover."""

from __future__ import annotations

from examples.history.categories import Category

PRODUCT = (
    Category(
        name="data_export",
        count=24,
        judgment=False,
        subjects=(
            "Export to CSV",
            "Export project",
            "Full backup of workspace",
            "Export link expired",
            "Export all our data",
            "CSV export missing columns",
        ),
        quick=(
            "how do i export a project to excel",
            "export link in the email says expired",
            "can i get a json export of everything",
            "export option missing for one of our users",
        ),
        asks=(
            "I need all tasks from our Client Onboarding project in a spreadsheet, including the custom fields.",
            "Is there a way to get a full backup of the whole workspace, not just one project?",
            "The CSV I exported shows strange characters instead of accents when I open it in Excel.",
            "Our custom field 'Budget code' isn't in the CSV export. Where did it go?",
            "We need to archive everything for compliance before the end of the year. What formats can we export?",
            "A colleague says the export option doesn't appear for him at all.",
            "Can the export include comments and time entries, or just the tasks?",
        ),
        details=(
            "The project has about {count} tasks.",
            "It's for a board meeting on Thursday.",
            "Excel is the Mac version.",
            "We might move some of it into our data warehouse later.",
        ),
        tags=("export", "data"),
        replies=(
            "Good question! For one project, click ... next to the project name > Export project and choose CSV or JSON; "
            "you can include comments, subtasks, time entries and archived tasks, and we email you a download link (valid "
            "for 7 days). To export just the current view with its filters, use ... > Export > CSV in the view. For "
            "everything in the workspace, an Owner or Admin can run a full workspace backup from Settings.\n\nIf accents "
            "look broken in Excel, open the file with Data > From Text/CSV and choose UTF-8. Custom fields hidden in a view "
            "only appear in the project export. Guests can't export, and Admins can turn exports off under Settings > "
            "Security.",
        ),
    ),
    Category(
        name="api_rate_limits",
        count=15,
        judgment=False,
        subjects=("429 Too Many Requests", "API rate limit", "Raise our API limit", "Rate limited during migration"),
        quick=("what's the api rate limit on team?", "getting 429s from the api since this morning"),
        asks=(
            "Our sync script started getting HTTP 429 responses today. We haven't changed anything.",
            "What's the request limit per minute on the Business plan, and is it per key or per workspace?",
            "We're migrating {count} tasks next weekend. Can the limit be raised temporarily?",
            "The 429 responses don't seem to include a Retry-After header. How long should we wait?",
            "How can we see which integration is using up our API quota?",
        ),
        details=(
            "We use POST /v2/tasks one task at a time.",
            "Zapier is also connected to the same workspace.",
            "It's a nightly job that runs at 02:00 UTC.",
        ),
        tags=("api", "rate_limit"),
        replies=(
            "Thanks for the details! Limits are per workspace, shared by all keys and apps, in a rolling minute: 100 "
            "requests/min on Team, 1,000 on Business, custom on Enterprise. A 429 carries a Retry-After header with the "
            "seconds to wait; please honour it and add exponential backoff rather than retrying in a loop.\n\nBulk "
            "endpoints help a lot: POST /v2/tasks/batch takes up to 100 tasks per call, and limit=100 when listing. "
            "Settings > Developer > API usage shows which key or app uses the budget. For a one-off migration we can raise "
            "the limit for a short time; just tell us the endpoints, volume and dates.",
        ),
        plans=(0.0, 0.5, 0.4, 0.1),
    ),
    Category(
        name="bug_report",
        count=24,
        judgment=True,
        subjects=(
            "Bug: board view not loading",
            "Error when saving task",
            "Timeline view broken",
            "Something went wrong error",
            "Attachments fail to upload",
            "Custom field values disappearing",
            "Bug report",
        ),
        quick=(),
        asks=(
            "Since yesterday the board view of our Sprint project shows an empty page. List view works fine.",
            "When I change a task's due date in the timeline it jumps back to the old date after a second.",
            "Uploading a PDF to a task fails with 'Upload failed (413)'. The file is only 8 MB.",
            "Values in our 'Client' custom field disappear after we move tasks between projects.",
            "Drag and drop on the board doesn't work in Firefox any more. Chrome is fine.",
            "The search bar returns nothing for tasks I know exist, even with the exact title.",
            "Comments I post with an @mention show the raw user ID instead of the name.",
        ),
        details=(
            "Hard refresh and a private window didn't help.",
            "Steps: open the project, switch to Board, wait. Nothing renders.",
            "Happens to {count} people on our team, not everyone.",
            "I sent a report through Help > Report a problem as well.",
            "Browser console shows a 500 from /v2/views.",
        ),
        tags=("bug",),
        replies=(
            "Thanks for the clear report, {first}, I was able to reproduce it.",
            "Hi {first}, thanks for the screenshots and steps.",
            "Sorry about this, {first}, and thanks for taking the time to write it up.",
            "Thanks for your patience while our engineers looked into this, {first}.",
        ),
        reply_middles=(
            "It's a bug in how the board view loads projects with more than 50 columns of custom fields; engineering has "
            "it as BUG-{code} and a fix is planned for next week's release.",
            "The timeline was reverting dates when a task had a dependency with a time zone offset. A fix went out this "
            "morning, so a hard refresh should sort it.",
            "Uploads were blocked by a size check that counted the file twice; it's fixed now. Could you try the upload again?",
            "Moving tasks between projects drops custom field values when the target project has a field with the same "
            "name but a different type. As a workaround, add the field to the target project first.",
            "This only happens with the Firefox strict tracking setting; allowing storage for app.orbitask.com fixes it "
            "while we work on a proper fix.",
            "I couldn't reproduce it on a copy of your project, so I've asked engineering to check the logs for your "
            "workspace around the time you mentioned.",
            "Mentions of people whose names changed recently showed their ID instead of the name. A fix shipped "
            "yesterday, so new comments are fine, and older ones are being repaired in the background.",
        ),
        reply_closers=(
            "I've linked your ticket to the bug, so you'll get an email when the fix ships.",
            "Let me know if it comes back.",
            "If you can, send me a short screen recording next time it happens; that helps the engineers a lot.",
            "I'll update you here as soon as I hear back.",
        ),
        answers=(0, 1, 2, 3, 4, 5, 6),
    ),
    Category(
        name="feature_request",
        count=26,
        judgment=False,
        subjects=(
            "Feature request",
            "Dark mode?",
            "Gantt chart",
            "Suggestion",
            "Would love to see...",
            "Idea for the board view",
            "Bulk editing",
        ),
        quick=(
            "any plans for dark mode?",
            "would be great to have a gantt view with dependencies",
            "please add bulk edit for due dates",
            "can you add a way to color code projects in the sidebar",
        ),
        asks=(
            "It would really help us if the timeline could show dependencies as a proper Gantt chart with a critical path.",
            "Our designers keep asking for a dark mode in the desktop app. Is that on the roadmap?",
            "Could you add the option to bulk edit due dates for a whole set of tasks at once?",
            "We'd love a client portal where customers can see progress without needing a guest account.",
            "Please consider adding task templates with pre-filled subtasks and checklists.",
            "It would be nice if recurring tasks could skip public holidays automatically.",
            "Can you make the workload view show hours per person per week, not just task counts?",
            "A simple way to duplicate a whole project with its automations would save us hours each month.",
        ),
        details=(
            "Happy to jump on a call to explain our use case.",
            "Half of our team would use this daily.",
            "Right now we keep a spreadsheet on the side for this.",
            "Competitors have had this for a while, to be honest.",
        ),
        tags=("feature_request", "feedback"),
        replies=(
            "Thanks so much for taking the time to share this! I've passed your suggestion to our product team, who read "
            "every request and group similar ones to plan the roadmap. I can't promise if or when it will be built, but "
            "your vote has been added, and you'll get an email if it ships.\n\nIf you'd like to add more detail later, "
            "Help (?) > Share feedback > Suggest a feature goes straight to the same place; describing the problem you're "
            "solving and how often it comes up helps them most.",
        ),
        no_reply=0.05,
    ),
    Category(
        name="notification_settings",
        count=16,
        judgment=False,
        subjects=("Too many emails", "Notifications", "Daily digest", "Push notifications not working", "Mute a project"),
        quick=("how do i stop getting an email for every comment", "no push notifications on my phone"),
        asks=(
            "I'm drowning in emails from Orbitask. Can I get one summary a day instead?",
            "Push notifications stopped arriving on my iPhone after the last update.",
            "Is there a way to mute one very busy project but still get mentions?",
            "I don't want notifications on weekends. Is there a quiet hours setting?",
            "I get emailed about tasks I only commented on once months ago.",
        ),
        details=(
            "I'm in about fifteen projects.",
            "Notifications are allowed in iOS settings.",
            "It's mostly automation updates.",
        ),
        tags=("notifications",),
        replies=(
            "Happy to help! Notification settings are personal, under Account settings > Notifications: for each event you "
            "can tick Email, Push or In-app. Under Email digest choose Daily or Weekly and turn on Send individual emails "
            "only for mentions and assignments.\n\nTo quieten one project, open it and use ... > Notifications > Mute; "
            "you'll still get mentions. Quiet hours on the same settings page hold push notifications. Lots of emails "
            "usually come from auto-following tasks you commented on; you can switch that off there too.",
        ),
    ),
    Category(
        name="github_integration",
        count=12,
        judgment=False,
        subjects=("GitHub integration", "PRs not showing on tasks", "Connect GitHub", "GitHub sync stopped"),
        quick=("pull requests dont show on our tasks anymore",),
        asks=(
            "We connected GitHub but nothing appears on the tasks when we put the task ID in the branch name.",
            "GitHub sync stopped for everyone yesterday. Did something change?",
            "Can tasks move to Done automatically when the pull request is merged?",
            "Our private repositories don't show up when I try to map them to projects.",
        ),
        details=("Branch names look like orb-{code}-fix-header.", "The person who installed the app left last month."),
        tags=("integrations", "github"),
        replies=(
            "Thanks for reaching out! The most common cause is that the repository isn't selected in the GitHub app: on "
            "GitHub go to Organisation settings > GitHub Apps > Orbitask > Configure and add it (private repositories need "
            "to be granted there too). If sync stopped for everyone, the app was probably suspended or its installer left "
            "the organisation; reconnect under Settings > Integrations > GitHub > Reconnect.\n\nTo move tasks "
            "automatically, turn on Move task to Done when pull request is merged in the same settings.",
        ),
        plans=(0.1, 0.5, 0.3, 0.1),
    ),
    Category(
        name="howto_automations",
        count=14,
        judgment=False,
        subjects=("Automation not firing", "How to set up an automation", "Rule question", "Automations paused"),
        quick=("my automation rule isnt doing anything",),
        asks=(
            "I set up a rule to assign tasks tagged 'urgent' to our team lead, but it never runs.",
            "How do I make a task move to Review automatically when all its subtasks are done?",
            "All the automations in our Design project show as paused. What happened?",
            "Tasks we imported yesterday didn't trigger any of our rules.",
        ),
        details=("The activity log says 'Skipped'.", "The colleague who built them left recently."),
        tags=("automations",),
        replies=(
            "Good question! Open the project's Automations > Activity log first: \"Skipped\" means a condition didn't match, "
            "and the log says which one. Rules created by someone who was deactivated or lost access are paused; click "
            "Take over on each to run them as you. Imports don't trigger rules (API changes do).\n\nTo build a new rule, "
            "click Automations (lightning icon) > New rule, pick a trigger such as Status changed, add conditions and "
            "actions, save and switch it on.",
        ),
    ),
)
